package transfer

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"os"
	"path"
	"strings"
)

// ContentType names the type of a file the way the reference does: by extension first (Go's table,
// extended from /etc/mime.types, /etc/apache2/mime.types and /etc/apache/mime.types, and from
// AZCOPY_CONTENT_TYPE_MAP), else by sniffing its first bytes. Parameters such as "; charset=utf-8"
// are dropped, as the reference stores the bare type.
func ContentType(name string, head []byte) string {
	if t := ByName(name); t != "" {
		return t
	}
	return bare(http.DetectContentType(head))
}

// ByName is the content type the name's extension decides, or "" when only the content can tell:
// a writer then need not read the first bytes before it starts.
func ByName(name string) string { return bare(mime.TypeByExtension(path.Ext(name))) }

func bare(t string) string {
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	return t
}

// LoadContentTypeMap adds the mappings of an AZCOPY_CONTENT_TYPE_MAP file, a JSON document of the form
// {"MIMETypeMapping": {".ext": "type/subtype"}}.
func LoadContentTypeMap(file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("reading AZCOPY_CONTENT_TYPE_MAP: %w", err)
	}
	var doc struct{ MIMETypeMapping map[string]string }
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("AZCOPY_CONTENT_TYPE_MAP %s is not valid JSON: %w", file, err)
	}
	for ext, typ := range doc.MIMETypeMapping {
		if !strings.HasPrefix(ext, ".") {
			ext = "." + ext
		}
		if err := mime.AddExtensionType(ext, typ); err != nil {
			return fmt.Errorf("AZCOPY_CONTENT_TYPE_MAP %s: %s → %s: %w", file, ext, typ, err)
		}
	}
	return nil
}
