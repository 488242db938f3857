package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/azsync/azsync/internal/testenv"
)

// TestOAuthThroughAzureCLILogin syncs with an Entra ID token and no SAS, against Azurite's OAuth mode
// over https. The token comes from AZCOPY_AUTO_LOGIN_TYPE=AZCLI, served by a stand-in `az` on PATH,
// so the whole credential path runs without a network.
func TestOAuthThroughAzureCLILogin(t *testing.T) {
	dir := t.TempDir()
	cert, key, err := testenv.SelfSignedCert(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	az, err := testenv.StartAzuriteOAuth(ctx, cert, key)
	if err != nil {
		t.Fatal(err)
	}
	defer az.Stop()

	token := testenv.UnsignedStorageToken()
	bin := filepath.Join(dir, "bin")
	os.Mkdir(bin, 0o755)
	script := fmt.Sprintf("#!/bin/sh\nprintf '%%s' '{\"accessToken\":\"%s\",\"expires_on\":%d}'\n", token, time.Now().Add(time.Hour).Unix())
	if err := os.WriteFile(filepath.Join(bin, "az"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + bin + ":" + os.Getenv("PATH"), "SSL_CERT_FILE=" + cert, "AZCOPY_AUTO_LOGIN_TYPE=AZCLI"}

	src := t.TempDir()
	want := writeFiles(t, src, map[string]int{"a.txt": 100, "sub/b.bin": 70000})
	remote := az.Endpoint + "/oauthc"

	out, code := runEnv(t, env, "sync", src, remote, "--from-to=LocalBlob")
	if code != 1 || !strings.Contains(out, "--trusted-microsoft-suffixes") {
		t.Fatalf("a token for an untrusted host: exit %d, want 1 and advice\n%s", code, out)
	}
	trusted := "--trusted-microsoft-suffixes=127.0.0.1"
	if out, code = runEnv(t, env, "sync", src, remote, "--from-to=LocalBlob", trusted); code != 0 {
		t.Fatalf("upload with OAuth: exit %d\n%s", code, out)
	}
	down := t.TempDir()
	if out, code = runEnv(t, env, "sync", remote, down, "--from-to=BlobLocal", trusted); code != 0 {
		t.Fatalf("download with OAuth: exit %d\n%s", code, out)
	}
	checkFiles(t, down, want)
	if strings.Contains(out, token[:40]) {
		t.Error("the token appears in the output")
	}
}
