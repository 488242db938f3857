package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The scale run (-only scale, not part of the default run): a no-change sync of millions of entries,
// to show that azsync's memory does not grow with the tree (SPEC §7). No emulator here can be filled
// with ten million entries in reasonable time (Azurite scans every blob it holds on each listing; the
// Files emulator takes one request per file to fill), so both sides are a synthetic Blob service in
// this process that generates its listings on the fly: the same zero-byte blobs in both containers,
// 1,000 per folder. The sync is Blob → Blob, so no local files are needed either; it lists and
// compares every entry on both sides and copies nothing. What it measures is azsync's walk, listing
// decoder and comparison, which is what holds memory in a no-change sync.

const scalePerDir = 1000

// synthBlobs answers Get Container Properties and List Blobs (hierarchical, with markers) for any
// container, as if it held n zero-byte blobs named dNNNNN/fNNNN, perDir to a folder, every one
// recorded (Last-Modified and mtime metadata) at synthTime.
type synthBlobs struct {
	n, perDir int
	server    *http.Server
	URL       string // http://127.0.0.1:PORT/devstoreaccount1
}

var synthTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func startSynthBlobs(n, perDir int) (*synthBlobs, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &synthBlobs{n: n, perDir: perDir, URL: "http://" + ln.Addr().String() + "/devstoreaccount1"}
	s.server = &http.Server{Handler: s, ReadHeaderTimeout: time.Minute}
	go s.server.Serve(ln)
	return s, nil
}

func (s *synthBlobs) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.server.Shutdown(ctx)
}

func (s *synthBlobs) dirs() int { return (s.n + s.perDir - 1) / s.perDir }

// synthName is the name of the f-th blob of folder d.
const synthName = "d%05d/f%04d"

func (s *synthBlobs) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	h := w.Header()
	h.Set("x-ms-version", r.Header.Get("x-ms-version"))
	h.Set("x-ms-request-id", "synthetic")
	switch {
	case q.Get("restype") == "container" && q.Get("comp") == "list" && q.Get("delimiter") == "/":
		h.Set("Content-Type", "application/xml")
		w.Write(s.listing(q.Get("prefix"), q.Get("marker")))
	case q.Get("restype") == "container" && q.Get("comp") == "":
		h.Set("ETag", `"0x1"`)
		h.Set("Last-Modified", synthTime.Format(http.TimeFormat))
		w.WriteHeader(http.StatusOK)
	default:
		h.Set("x-ms-error-code", "UnsupportedOperation")
		http.Error(w, "the synthetic service only lists", http.StatusBadRequest)
	}
}

// listing is one page: at the root the folders (5,000 a page), in a folder its blobs.
func (s *synthBlobs) listing(prefix, marker string) []byte {
	from, _ := strconv.Atoi(marker)
	b := make([]byte, 0, 512*1024)
	b = append(b, `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ContainerName="c"><Prefix>`...)
	b = append(b, prefix...)
	b = append(b, `</Prefix><Delimiter>/</Delimiter><Blobs>`...)
	next := ""
	if prefix == "" {
		end := min(from+5000, s.dirs())
		for d := from; d < end; d++ {
			b = fmt.Appendf(b, "<BlobPrefix><Name>d%05d/</Name></BlobPrefix>", d)
		}
		if end < s.dirs() {
			next = strconv.Itoa(end)
		}
	} else if d, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(prefix, "d"), "/")); err == nil {
		count := min(s.perDir, s.n-d*s.perDir)
		lm := synthTime.Format(http.TimeFormat)
		mt := synthTime.Format(time.RFC3339Nano)
		for f := range count {
			b = fmt.Appendf(b, "<Blob><Name>"+synthName+"</Name><Properties><Last-Modified>%s</Last-Modified>"+
				"<Etag>0x8DE0000000000%04d</Etag><Content-Length>0</Content-Length><Content-Type>application/octet-stream</Content-Type>"+
				"<BlobType>BlockBlob</BlobType><AccessTier>Hot</AccessTier></Properties><Metadata><mtime>%s</mtime></Metadata></Blob>",
				d, f, lm, f, mt)
		}
	}
	b = append(b, `</Blobs><NextMarker>`...)
	b = append(b, next...)
	return append(b, `</NextMarker></EnumerationResults>`...)
}

// scaleRow is one no-change sync at one size.
type scaleRow struct {
	n int
	m measurement
}

// scalePart runs the no-change Blob → Blob sync at every size of -scale-files.
func scalePart(ctx context.Context, e *benchEnv) ([]scaleRow, error) {
	var rows []scaleRow
	for _, n := range e.cfg.scaleFiles {
		s, err := startSynthBlobs(n, scalePerDir)
		if err != nil {
			return rows, err
		}
		sas := "sv=2025-01-05&sig=synthetic" // the service reads nothing of it; azsync wants a source SAS
		m, sum, err := e.runAzsync(ctx, fmt.Sprintf("scale-%d", n), s.URL+"/src?"+sas, s.URL+"/dst?"+sas,
			"--from-to=BlobBlob")
		s.close()
		if err == nil && sum.transfers != 0 {
			err = fmt.Errorf("the scale no-op of %d entries copied %d", n, sum.transfers)
		}
		if err != nil {
			return rows, err
		}
		logf("  scale: no-change sync of %d entries: %.1f s, CPU %.1f s (%.1f µs/entry), peak RSS %.1f MiB",
			n, m.wall.Seconds(), m.cpu.Seconds(), m.cpu.Seconds()*1e6/float64(n), float64(m.rssKiB)/1024)
		rows = append(rows, scaleRow{n, m})
	}
	return rows, nil
}
