package filesemu_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/azsync/azsync/filesemu"
)

// FuzzRequest sends authorised requests with arbitrary methods, paths, queries, headers and bodies:
// the emulator answers each one (an error status is fine) and never crashes.
func FuzzRequest(f *testing.F) {
	f.Add("PUT", "/share/d/f.txt", "", "x-ms-type", "file", "x-ms-content-length", "10", "")
	f.Add("PUT", "/share/f.txt", "comp=range", "x-ms-range", "bytes=0-3", "x-ms-write", "update", "abcd")
	f.Add("GET", "/share/f.txt", "", "x-ms-range", "bytes=5-", "x-ms-meta-a", "b", "")
	f.Add("GET", "/share", "restype=directory&comp=list&maxresults=1&marker=zz", "x-ms-file-last-write-time", "2024-01-01T00:00:00.1234567Z", "", "", "")
	f.Add("PUT", "/share/f.txt", "comp=properties", "x-ms-content-md5", "AAAA", "x-ms-file-attributes", "ReadOnly|Archive", "")
	srv, err := filesemu.New(filesemu.Options{})
	if err != nil {
		f.Fatal(err)
	}
	if err := srv.CreateShare("share"); err != nil {
		f.Fatal(err)
	}
	sas := srv.AccountSAS(time.Now().Add(24 * time.Hour))
	f.Fuzz(func(t *testing.T, method, path, query, h1, v1, h2, v2, body string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, "?# \r\n") {
			return
		}
		req, err := http.NewRequest(method, "http://127.0.0.1/"+filesemu.DevAccount+path+"?"+query+"&"+sas, strings.NewReader(body))
		if err != nil {
			return
		}
		for _, hv := range [][2]string{{h1, v1}, {h2, v2}} {
			if hv[0] != "" {
				req.Header.Set(hv[0], hv[1])
			}
		}
		req.Header.Set("x-ms-version", "2025-05-05")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code < 100 || rec.Code > 599 {
			t.Fatalf("%s %s?%s: status %d", method, path, query, rec.Code)
		}
	})
}
