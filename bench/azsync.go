package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// summary is the part of azsync's EndOfJob message the benchmark checks.
type summary struct {
	status    string
	transfers int64 // files planned for copy
	completed int64
	failed    int64
}

// runAzsync runs `azsync sync args… --output-type=json` as a user would (its own process, default
// concurrency and log level) and checks that the job completed. With -profile it runs azsync's
// command line in-process in this executable under pprof instead, saving the profile as label.
func (e *benchEnv) runAzsync(ctx context.Context, label string, args ...string) (measurement, summary, error) {
	return e.runAzsyncEnv(ctx, label, nil, args...)
}

// runAzsyncEnv is runAzsync with more environment variables (such as AZCOPY_CONCURRENCY_VALUE).
func (e *benchEnv) runAzsyncEnv(ctx context.Context, label string, env []string, args ...string) (measurement, summary, error) {
	args = append(append([]string{"sync"}, args...), "--output-type=json")
	var cmd *exec.Cmd
	if e.profDir != "" {
		cmd = exec.CommandContext(ctx, e.self, append([]string{profiledWorkerCmd, filepath.Join(e.profDir, label)}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, e.bin, args...)
	}
	cmd.Env = append(append(os.Environ(), "AZCOPY_LOG_LOCATION="+e.logDir), env...)
	m, out, err := e.runMeasured(ctx, cmd)
	if err != nil {
		return m, summary{}, err
	}
	s, err := parseSummary(out)
	if err != nil {
		return m, s, fmt.Errorf("%s: %w", cmdLine(cmd), err)
	}
	// Folders created on Azure Files count among the completed transfers, not among the file ones.
	if s.status != "Completed" || s.failed != 0 || s.completed < s.transfers {
		return m, s, fmt.Errorf("%s: job %s, %d of %d transfers completed, %d failed", cmdLine(cmd), s.status, s.completed, s.transfers, s.failed)
	}
	if e.profDir != "" {
		e.summarizeProfile(ctx, label)
	}
	return m, s, nil
}

// parseSummary finds the EndOfJob message in azsync's JSON output. Counters are JSON strings in the
// reference's format; numbers are accepted too.
func parseSummary(out []byte) (summary, error) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var env struct{ MessageType, MessageContent string }
		if json.Unmarshal(sc.Bytes(), &env) != nil || env.MessageType != "EndOfJob" {
			continue
		}
		var c map[string]any
		if err := json.Unmarshal([]byte(env.MessageContent), &c); err != nil {
			return summary{}, fmt.Errorf("reading the EndOfJob message: %w", err)
		}
		status, _ := c["JobStatus"].(string)
		return summary{status: status, transfers: number(c["FileTransfers"]),
			completed: number(c["TransfersCompleted"]), failed: number(c["TransfersFailed"])}, nil
	}
	return summary{}, fmt.Errorf("no EndOfJob message in the output:\n%s", tail(string(out), 2000))
}

func number(v any) int64 {
	switch v := v.(type) {
	case string:
		n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		return n
	case float64:
		return int64(v)
	}
	return 0
}
