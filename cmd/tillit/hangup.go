package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/tillit/tillit/internal/app"
)

// reloadOnHangup reloads the sanctions lists (and queues the re-screening
// of existing customers) each time the process gets SIGHUP, until ctx ends.
// Lists that do not load leave the current ones in use.
func reloadOnHangup(ctx context.Context, a *app.App, logger *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			if _, err := a.Screening.Reload(ctx, "system:sighup"); err != nil {
				logger.Error("screening lists not reloaded; the lists in use stay", slog.String("err", err.Error()))
			}
		}
	}
}
