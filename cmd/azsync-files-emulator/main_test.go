package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRunServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, stdout := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--port", "0"}, stdout, io.Discard)
		_ = stdout.Close()
	}()

	lines := bufio.NewScanner(out)
	if !lines.Scan() {
		t.Fatalf("no output: %v", <-done)
	}
	url, found := strings.CutPrefix(lines.Text(), "Azure Files emulator listening on ")
	if !found || !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, "/devstoreaccount1") {
		t.Fatalf("unexpected banner %q", lines.Text())
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()

	resp, err := http.Get(url + "/?comp=list")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("x-ms-error-code") != "AuthenticationFailed" {
		t.Fatalf("anonymous list: %d %q", resp.StatusCode, resp.Header.Get("x-ms-error-code"))
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop after cancellation")
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	if err := run(context.Background(), []string{"--key", "%%%"}, io.Discard, io.Discard); err == nil {
		t.Fatal("a non-base64 key was accepted")
	}
	if err := run(context.Background(), []string{"extra"}, io.Discard, io.Discard); err == nil {
		t.Fatal("a stray argument was accepted")
	}
}
