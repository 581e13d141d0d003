package main

import "context"

// benchCommand runs the load benchmark; see internal/bench.
func benchCommand(ctx context.Context, args []string) error {
	return usageError("bench: not built yet")
}
