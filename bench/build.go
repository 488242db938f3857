package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// buildAzsync builds the command under test from the working tree, as a user would install it.
func buildAzsync(ctx context.Context, root, work string) (string, error) {
	bin := filepath.Join(work, "azsync")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/azsync")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/azsync: %w", err)
	}
	return bin, nil
}
