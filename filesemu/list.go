package filesemu

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// maxListResults is both the default and the cap of maxresults.
const maxListResults = 5000

// listParams are the paging parameters every listing takes.
type listParams struct {
	prefix     string
	marker     string // as sent, echoed back
	from       string // decoded marker: the first name to return
	maxResults int    // as sent (0 when absent), echoed back
	limit      int
}

func parseListParams(q url.Values) (listParams, error) {
	p := listParams{prefix: q.Get("prefix"), marker: q.Get("marker"), limit: maxListResults}
	if p.marker != "" {
		from, err := base64.RawURLEncoding.DecodeString(p.marker)
		if err != nil {
			return p, errInvalidQuery("marker")
		}
		p.from = string(from)
	}
	if v := q.Get("maxresults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return p, newError(http.StatusBadRequest, "OutOfRangeQueryParameterValue",
				"One of the query parameters specified in the request URI is outside the permissible range. Parameter: maxresults")
		}
		p.maxResults, p.limit = n, min(n, maxListResults)
	}
	return p, nil
}

// page picks, from n names sorted ascending (name(i) is the i-th), the indices
// of one page and the marker of the next. Markers are opaque to clients: the
// next name, base64url-encoded, so paging stays correct while entries are
// added or removed.
func (p listParams) page(n int, name func(int) string) (idx []int, next string) {
	start := sort.Search(n, func(i int) bool { return name(i) >= p.from })
	for i := start; i < n; i++ {
		if !strings.HasPrefix(name(i), p.prefix) {
			continue
		}
		if len(idx) == p.limit {
			return idx, base64.RawURLEncoding.EncodeToString([]byte(name(i)))
		}
		idx = append(idx, i)
	}
	return idx, ""
}

func serviceEndpoint(r *http.Request, account string) string {
	return "http://" + r.Host + "/" + account + "/"
}

// metadataXML lists metadata as <name>value</name> elements.
type metadataXML metadata

func (m metadataXML) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, k := range names {
		if err := e.EncodeElement(m[k], xml.StartElement{Name: xml.Name{Local: k}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

type shareListXML struct {
	XMLName         xml.Name   `xml:"EnumerationResults"`
	ServiceEndpoint string     `xml:"ServiceEndpoint,attr"`
	Prefix          string     `xml:"Prefix,omitempty"`
	Marker          string     `xml:"Marker,omitempty"`
	MaxResults      int        `xml:"MaxResults,omitempty"`
	Shares          []shareXML `xml:"Shares>Share"`
	NextMarker      string     `xml:"NextMarker"`
}

type shareXML struct {
	Name       string        `xml:"Name"`
	Snapshot   string        `xml:"Snapshot,omitempty"`
	Properties sharePropsXML `xml:"Properties"`
	Metadata   metadataXML   `xml:"Metadata,omitempty"`
}

type sharePropsXML struct {
	LastModified     string `xml:"Last-Modified"`
	Etag             string `xml:"Etag"`
	Quota            int    `xml:"Quota"`
	AccessTier       string `xml:"AccessTier"`
	EnabledProtocols string `xml:"EnabledProtocols"`
}

// listShares is List Shares: include=metadata and include=snapshots (each
// share's snapshots, oldest first, before it) are honoured; there are no
// soft-deleted shares to include. A page holds whole shares with their snapshots.
func (s *Server) listShares(c *call) error {
	p, err := parseListParams(c.q)
	if err != nil {
		return err
	}
	withMeta, withSnapshots := false, false
	for inc := range strings.SplitSeq(c.q.Get("include"), ",") {
		switch strings.ToLower(strings.TrimSpace(inc)) {
		case "metadata":
			withMeta = true
		case "snapshots":
			withSnapshots = true
		case "", "deleted":
		default:
			return errInvalidQuery("include")
		}
	}
	out := shareListXML{ServiceEndpoint: serviceEndpoint(c.r, s.account), Prefix: p.prefix,
		Marker: p.marker, MaxResults: p.maxResults}

	s.store.mu.RLock()
	shares := s.store.sortedShares()
	idx, next := p.page(len(shares), func(i int) string { return shares[i].name })
	for _, i := range idx {
		if withSnapshots {
			for _, snap := range shares[i].sortedSnapshots() {
				out.Shares = append(out.Shares, snap.listItem(withMeta))
			}
		}
		out.Shares = append(out.Shares, shares[i].listItem(withMeta))
	}
	s.store.mu.RUnlock()
	out.NextMarker = next
	writeXML(c.w, http.StatusOK, out)
	return nil
}

func (sh *share) listItem(withMeta bool) shareXML {
	item := shareXML{Name: sh.name, Snapshot: sh.snapshot, Properties: sharePropsXML{
		LastModified: sh.etag.lastModified().Format(http.TimeFormat), Etag: sh.etag.String(), Quota: sh.quota,
		AccessTier: sh.accessTier, EnabledProtocols: "SMB",
	}}
	if withMeta {
		item.Metadata = metadataXML(sh.meta)
	}
	return item
}

type dirListXML struct {
	XMLName         xml.Name   `xml:"EnumerationResults"`
	ServiceEndpoint string     `xml:"ServiceEndpoint,attr"`
	ShareName       string     `xml:"ShareName,attr"`
	DirectoryPath   string     `xml:"DirectoryPath,attr"`
	Marker          string     `xml:"Marker,omitempty"`
	Prefix          *xmlName   `xml:"Prefix,omitempty"`
	MaxResults      int        `xml:"MaxResults,omitempty"`
	DirectoryID     string     `xml:"DirectoryId,omitempty"`
	Entries         entriesXML `xml:"Entries"`
	NextMarker      string     `xml:"NextMarker"`
}

// entriesXML is always written, even empty: SDKs dereference it unconditionally.
type entriesXML struct {
	Items []dirItemXML
}

// dirItemXML is a <File> or a <Directory>, per its XMLName, so that both kinds
// can be listed interleaved in name order as the service does.
type dirItemXML struct {
	XMLName       xml.Name
	Name          xmlName      `xml:"Name"`
	FileID        string       `xml:"FileId,omitempty"`
	Properties    itemPropsXML `xml:"Properties"`
	Attributes    string       `xml:"Attributes,omitempty"`
	PermissionKey string       `xml:"PermissionKey,omitempty"`
}

type itemPropsXML struct {
	ContentLength  *int64 `xml:"Content-Length,omitempty"`
	CreationTime   string `xml:"CreationTime,omitempty"`
	LastAccessTime string `xml:"LastAccessTime,omitempty"`
	LastWriteTime  string `xml:"LastWriteTime,omitempty"`
	ChangeTime     string `xml:"ChangeTime,omitempty"`
	LastModified   string `xml:"Last-Modified,omitempty"`
	Etag           string `xml:"Etag,omitempty"`
}

// listIncludes are the optional parts of a directory listing.
type listIncludes struct{ timestamps, etag, attributes, permissionKey, fileID bool }

func parseListIncludes(c *call) (listIncludes, error) {
	inc := listIncludes{fileID: strings.EqualFold(c.r.Header.Get("x-ms-file-extended-info"), "true")}
	for v := range strings.SplitSeq(c.q.Get("include"), ",") {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "timestamps":
			inc.timestamps = true
		case "etag":
			inc.etag = true
		case "attributes":
			inc.attributes = true
		case "permissionkey":
			inc.permissionKey = true
		case "":
		default:
			return inc, errInvalidQuery("include")
		}
	}
	return inc, nil
}

func (inc listIncludes) item(n *node) dirItemXML {
	item := dirItemXML{XMLName: xml.Name{Local: "File"}, Name: encodeName(n.name)}
	if n.isDir() {
		item.XMLName.Local = "Directory"
	} else {
		size := n.size
		item.Properties.ContentLength = &size
	}
	if inc.fileID {
		item.FileID = formatID(n.id)
	}
	if inc.timestamps {
		item.Properties.CreationTime = n.smb.CreationTime.String()
		item.Properties.LastAccessTime = n.smb.LastWriteTime.String()
		item.Properties.LastWriteTime = n.smb.LastWriteTime.String()
		item.Properties.ChangeTime = n.smb.ChangeTime.String()
		item.Properties.LastModified = n.etag.lastModified().Format(http.TimeFormat)
	}
	if inc.etag {
		item.Properties.Etag = n.etag.String()
	}
	if inc.attributes {
		item.Attributes = n.smb.Attributes.String()
	}
	if inc.permissionKey {
		item.PermissionKey = n.smb.Permission.key
	}
	return item
}

// listDirectory is List Directories and Files: the directory's direct children.
func (s *Server) listDirectory(c *call) error {
	p, err := parseListParams(c.q)
	if err != nil {
		return err
	}
	inc, err := parseListIncludes(c)
	if err != nil {
		return err
	}
	out := dirListXML{ServiceEndpoint: serviceEndpoint(c.r, s.account), ShareName: c.t.share,
		DirectoryPath: strings.Join(c.t.path, "/"), Marker: p.marker, MaxResults: p.maxResults}
	if p.prefix != "" {
		prefix := encodeName(p.prefix)
		out.Prefix = &prefix
	}

	s.store.mu.RLock()
	_, dir, err := s.store.resolve(c.t, (*share).directory)
	if err != nil {
		s.store.mu.RUnlock()
		return err
	}
	children := dir.children.sorted()
	idx, next := p.page(len(children), func(i int) string { return children[i].name })
	for _, i := range idx {
		out.Entries.Items = append(out.Entries.Items, inc.item(children[i]))
	}
	if inc.fileID {
		out.DirectoryID = formatID(dir.id)
	}
	s.store.mu.RUnlock()
	out.NextMarker = next
	writeXML(c.w, http.StatusOK, out)
	return nil
}
