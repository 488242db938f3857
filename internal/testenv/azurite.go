// Package testenv starts the services that tests, the example and the benchmark run against: Azurite
// for Blob (from the repository's node_modules, installed by `npm ci`) on a free loopback port.
package testenv

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/service"
)

// The well-known development account every Azure emulator accepts.
const (
	DevAccount = "devstoreaccount1"
	DevKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// Azurite is a running Azurite blob service.
type Azurite struct {
	// Endpoint is the account's path-style URL, http://127.0.0.1:PORT/devstoreaccount1.
	Endpoint string
	cmd      *exec.Cmd
	done     chan struct{}
	dir      string
}

// RepoRoot finds the folder holding go.mod, from the working directory up.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = up
	}
}

// StartAzurite starts Azurite's blob service in memory on a free loopback port and waits until it
// listens. Stop it with Stop.
func StartAzurite(ctx context.Context) (*Azurite, error) { return startAzurite(ctx, "http") }

// StartAzuriteOAuth starts Azurite over https with the given certificate and key, accepting OAuth
// bearer tokens (`--oauth basic`: any unsigned JWT with a storage audience, a Microsoft issuer and a
// valid lifetime).
func StartAzuriteOAuth(ctx context.Context, certFile, keyFile string) (*Azurite, error) {
	return startAzurite(ctx, "https", "--oauth", "basic", "--cert", certFile, "--key", keyFile)
}

func startAzurite(ctx context.Context, scheme string, extra ...string) (*Azurite, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(root, "node_modules", ".bin", "azurite-blob")
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("azurite is not installed: run `npm ci` in %s", root)
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "azsync-azurite-*")
	if err != nil {
		return nil, err
	}
	args := append([]string{"--blobHost", "127.0.0.1", "--blobPort", fmt.Sprint(port),
		"--skipApiVersionCheck", "--loose", "--inMemoryPersistence", "--disableTelemetry", "--silent"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting azurite: %w", err)
	}
	a := &Azurite{Endpoint: fmt.Sprintf("%s://127.0.0.1:%d/%s", scheme, port, DevAccount), cmd: cmd, done: make(chan struct{}), dir: dir}
	ready := make(chan struct{})
	var log strings.Builder
	go func() {
		defer close(a.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "successfully listens") {
				close(ready)
				break
			}
		}
		io.Copy(io.Discard, out)
		cmd.Wait()
	}()
	select {
	case <-ready:
		return a, nil
	case <-a.done:
		a.Stop()
		return nil, fmt.Errorf("azurite exited before listening:\n%s", log.String())
	case <-time.After(60 * time.Second):
		a.Stop()
		return nil, errors.New("azurite did not start within 60s")
	case <-ctx.Done():
		a.Stop()
		return nil, ctx.Err()
	}
}

// Stop ends Azurite and its children.
func (a *Azurite) Stop() {
	if a.cmd.Process != nil {
		syscall.Kill(-a.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-a.done:
		case <-time.After(5 * time.Second):
			syscall.Kill(-a.cmd.Process.Pid, syscall.SIGKILL)
			<-a.done
		}
	}
	os.RemoveAll(a.dir)
}

// FreePort asks the kernel for a free loopback port.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Service returns a Shared Key client for the account, for tests that set up or inspect state.
func (a *Azurite) Service() (*service.Client, error) {
	cred, err := service.NewSharedKeyCredential(DevAccount, DevKey)
	if err != nil {
		return nil, err
	}
	return service.NewClientWithSharedKeyCredential(a.Endpoint+"/", cred, nil)
}

// ContainerSAS returns a container SAS query string (without '?') with every permission a sync needs.
func (a *Azurite) ContainerSAS(containerName string, expiry time.Time) (string, error) {
	cred, err := container.NewSharedKeyCredential(DevAccount, DevKey)
	if err != nil {
		return "", err
	}
	perms := sas.ContainerPermissions{Read: true, Add: true, Create: true, Write: true, Delete: true, List: true}
	q, err := sas.BlobSignatureValues{
		Protocol:      sas.ProtocolHTTPSandHTTP,
		StartTime:     time.Now().Add(-time.Hour).UTC(),
		ExpiryTime:    expiry.UTC(),
		Permissions:   perms.String(),
		ContainerName: containerName,
	}.SignWithSharedKey(cred)
	if err != nil {
		return "", err
	}
	return q.Encode(), nil
}

// AccountSAS returns an account SAS query string (without '?') allowing everything on blobs, including
// creating containers.
func (a *Azurite) AccountSAS(expiry time.Time) (string, error) {
	cred, err := service.NewSharedKeyCredential(DevAccount, DevKey)
	if err != nil {
		return "", err
	}
	perms := sas.AccountPermissions{Read: true, Write: true, Delete: true, List: true, Add: true, Create: true}
	q, err := sas.AccountSignatureValues{
		Protocol:      sas.ProtocolHTTPSandHTTP,
		StartTime:     time.Now().Add(-time.Hour).UTC(),
		ExpiryTime:    expiry.UTC(),
		Permissions:   perms.String(),
		ResourceTypes: (&sas.AccountResourceTypes{Service: true, Container: true, Object: true}).String(),
	}.SignWithSharedKey(cred)
	if err != nil {
		return "", err
	}
	return q.Encode(), nil
}
