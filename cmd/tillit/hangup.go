package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/https"
)

// reloadOnHangup reloads the sanctions lists (and queues the re-screening
// of existing customers) and, when serving HTTPS, the TLS certificate from
// its files, each time the process gets SIGHUP, until ctx ends. Lists or a
// certificate that do not load leave the ones in use.
func reloadOnHangup(ctx context.Context, a *app.App, cert *https.Certificate, logger *slog.Logger) {
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
			if cert == nil {
				continue
			}
			if err := cert.Reload(); err != nil {
				logger.Error("TLS certificate not reloaded; the certificate in use stays", slog.String("err", err.Error()))
			} else {
				logger.Info("TLS certificate reloaded")
			}
		}
	}
}
