package filesemu

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// smallFileHeap creates n files of size bytes the way a sync tool uploads them
// (Create, one Put Range, Set Properties with a content type and MD5; 1,000
// per directory) and returns the heap they retain, per file.
func smallFileHeap(tb testing.TB, n, size int) float64 {
	tb.Helper()
	s, err := New(Options{})
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.CreateShare("mem"); err != nil {
		tb.Fatal(err)
	}
	sas := s.ShareSAS("mem", time.Now().Add(time.Hour))
	body := bytes.Repeat([]byte("x"), size)
	sum := md5.Sum(body)
	do := func(method, path, query string, h map[string]string, body []byte) {
		r := httptest.NewRequest(method, "/"+DevAccount+"/mem/"+path+"?"+query+sas, bytes.NewReader(body))
		for k, v := range h {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code >= 300 {
			tb.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
		}
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range n {
		if i%1000 == 0 {
			do(http.MethodPut, fmt.Sprintf("dir%04d", i/1000), "restype=directory&", nil, nil)
		}
		path := fmt.Sprintf("dir%04d/file-%07d.dat", i/1000, i)
		do(http.MethodPut, path, "", map[string]string{"x-ms-type": "file", "x-ms-content-length": strconv.Itoa(size)}, nil)
		do(http.MethodPut, path, "comp=range&", map[string]string{"x-ms-write": "update",
			"x-ms-range": fmt.Sprintf("bytes=0-%d", size-1)}, body)
		do(http.MethodPut, path, "comp=properties&", map[string]string{"x-ms-content-type": "application/octet-stream",
			"x-ms-content-md5": base64.StdEncoding.EncodeToString(sum[:])}, nil)
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(s)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)
}

// TestSmallFileMemory holds the emulator to its budget for big trees: the
// bytes written plus at most 300 bytes of bookkeeping per file.
func TestSmallFileMemory(t *testing.T) {
	const n, size = 10000, 1024
	perFile := smallFileHeap(t, n, size)
	t.Logf("%d files of %d bytes: %.0f bytes of heap per file", n, size, perFile)
	if perFile > size+300 {
		t.Fatalf("%.0f bytes of heap per file of %d bytes; the budget is %d", perFile, size, size+300)
	}
}

// BenchmarkSmallFileMemory reports the heap per small file for b.N files
// (e.g. -bench SmallFileMemory -benchtime 200000x).
func BenchmarkSmallFileMemory(b *testing.B) {
	b.ReportMetric(smallFileHeap(b, b.N, 1024)-1024, "meta-B/file")
}
