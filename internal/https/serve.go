package https

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

// Options says how Serve listens besides the main listener.
type Options struct {
	// Certificate makes the main listener HTTPS (Config, HTTP/2 and
	// HTTP/1.1); nil serves plain HTTP.
	Certificate *Certificate
	// Redirect, when set, is a plain-HTTP listener that answers every
	// request with 308 Permanent Redirect to the same path and query over
	// HTTPS, and nothing else. It needs a Certificate.
	Redirect net.Listener
	// RedirectOrigin is the HTTPS origin the redirects go to
	// ("https://pay.example"); empty means the request's host name with the
	// main listener's port.
	RedirectOrigin string
	// ShutdownTimeout bounds how long in-flight requests may finish once
	// the context ends; zero means 30 seconds.
	ShutdownTimeout time.Duration
	// Logger notes the shutdown; nil means slog.Default().
	Logger *slog.Logger
}

// Serve serves srv on ln (and the redirect listener, if any) until ctx ends
// or a listener fails, then shuts every server down gracefully. It returns
// nil after a shutdown that ctx asked for, else the first error. It sets
// srv.TLSConfig and srv.Protocols when serving HTTPS.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener, opts Options) error {
	if opts.Redirect != nil && opts.Certificate == nil {
		return errors.New("https: a redirect to HTTPS needs a certificate")
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	errc := make(chan error, 2)
	servers := []*http.Server{srv}
	if opts.Certificate != nil {
		srv.TLSConfig = Config(opts.Certificate)
		protocols := new(http.Protocols)
		protocols.SetHTTP1(true)
		protocols.SetHTTP2(true)
		srv.Protocols = protocols
		go func() { errc <- srv.ServeTLS(ln, "", "") }()
	} else {
		go func() { errc <- srv.Serve(ln) }()
	}
	if opts.Redirect != nil {
		_, port, err := net.SplitHostPort(ln.Addr().String())
		if err != nil {
			return err
		}
		redirect := &http.Server{
			Handler:           Redirect(opts.RedirectOrigin, port),
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       10 * time.Second,
			WriteTimeout:      10 * time.Second,
			IdleTimeout:       30 * time.Second,
			MaxHeaderBytes:    16 << 10,
			ErrorLog:          srv.ErrorLog,
		}
		servers = append(servers, redirect)
		go func() { errc <- redirect.Serve(opts.Redirect) }()
	}
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		logger.Info("shutting down: finishing in-flight requests")
	}
	timeout := opts.ShutdownTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for _, s := range servers {
		if e := s.Shutdown(shutdownCtx); err == nil {
			err = e
		}
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Redirect answers every request with 308 Permanent Redirect to the same
// path and query over HTTPS, with no body, so that a method and body are
// repeated as they were. The target is origin when set, else the request's
// host name with port (left out when 443); a request without a usable Host
// or path (OPTIONS *) gets 400.
func Redirect(origin, port string) http.Handler {
	origin = strings.TrimSuffix(origin, "/")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := origin
		if target == "" {
			host := r.Host
			if h, _, err := net.SplitHostPort(host); err == nil {
				host = h
			}
			host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
			if host == "" || strings.ContainsAny(host, "/\\@?#[] ") {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			if port == "443" {
				if strings.Contains(host, ":") {
					host = "[" + host + "]"
				}
				target = "https://" + host
			} else {
				target = "https://" + net.JoinHostPort(host, port)
			}
		}
		uri := r.URL.RequestURI()
		if !strings.HasPrefix(uri, "/") {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.Header().Set("Location", target+uri)
		w.WriteHeader(http.StatusPermanentRedirect)
	})
}
