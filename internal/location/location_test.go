package location

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{Unknown: "Unknown", Local: "Local", Blob: "Blob", File: "File"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}

func TestParseFromTo(t *testing.T) {
	tests := []struct {
		in      string
		want    FromTo
		wantErr bool
	}{
		{"", FromTo{}, false},
		{"  ", FromTo{}, false},
		{"LocalBlob", FromTo{Local, Blob}, false},
		{"localblob", FromTo{Local, Blob}, false},
		{"BLOBLOCAL", FromTo{Blob, Local}, false},
		{"BlobBlob", FromTo{Blob, Blob}, false},
		{"FileFile", FromTo{File, File}, false},
		{"LocalFile", FromTo{Local, File}, false},
		{"fileLocal", FromTo{File, Local}, false},
		{"BlobFile", FromTo{}, true},
		{"LocalLocal", FromTo{}, true},
		{"BlobFSLocal", FromTo{}, true},
		{"Local", FromTo{}, true},
	}
	for _, tt := range tests {
		got, err := ParseFromTo(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseFromTo(%q) = %v, %v; want %v, err=%v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), "LocalBlob, BlobLocal, BlobBlob, FileFile, LocalFile, FileLocal") {
			t.Errorf("ParseFromTo(%q) error %q does not list the valid values", tt.in, err)
		}
		if err == nil && tt.want != (FromTo{}) && !strings.EqualFold(got.String(), strings.TrimSpace(tt.in)) {
			t.Errorf("ParseFromTo(%q).String() = %q", tt.in, got.String())
		}
	}
	if s := (FromTo{}).String(); s != "" {
		t.Errorf("zero FromTo String() = %q, want empty", s)
	}
}

func TestParseLocal(t *testing.T) {
	tests := []struct {
		arg      string
		hint     Kind
		path     string
		trailing bool
		wantErr  string
	}{
		{arg: "dir", path: "dir"},
		{arg: "dir/", path: "dir", trailing: true},
		{arg: "./a/../b//c/", hint: Local, path: "b/c", trailing: true},
		{arg: "/", path: "/", trailing: true},
		{arg: "/tmp/x.txt", path: "/tmp/x.txt"},
		{arg: `C:\x`, path: filepath.Clean(`C:\x`)},
		{arg: "a?sig=notasecret", path: "a?sig=notasecret"},
		{arg: "", wantErr: "empty path"},
		{arg: "dir", hint: Blob, wantErr: "local path, but --from-to says Blob"},
		{arg: "dir", hint: File, wantErr: "local path, but --from-to says File"},
		{arg: "ftp://host/x", path: "ftp:/host/x"},
	}
	for _, tt := range tests {
		got, err := Parse(tt.arg, tt.hint)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Parse(%q, %v) error = %v, want containing %q", tt.arg, tt.hint, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q, %v): %v", tt.arg, tt.hint, err)
			continue
		}
		want := Location{Kind: Local, LocalPath: tt.path, TrailingSlash: tt.trailing}
		if got != want {
			t.Errorf("Parse(%q, %v) = %+v, want %+v", tt.arg, tt.hint, got, want)
		}
		if got.String() != tt.path {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.arg, got.String(), tt.path)
		}
	}
}

func TestParseRemote(t *testing.T) {
	tests := []struct {
		arg  string
		hint Kind
		want Location
	}{
		{
			arg: "https://acct.blob.core.windows.net/cont",
			want: Location{Kind: Blob, Endpoint: "https://acct.blob.core.windows.net", Account: "acct",
				Container: "cont"},
		},
		{
			arg:  "https://acct.blob.core.windows.net/cont/",
			hint: Blob,
			want: Location{Kind: Blob, Endpoint: "https://acct.blob.core.windows.net", Account: "acct",
				Container: "cont", TrailingSlash: true},
		},
		{
			arg: "https://acct.blob.core.windows.net/cont/a/vdir/?sv=2024-01-01&sig=abc%2Bdef%3D",
			want: Location{Kind: Blob, Endpoint: "https://acct.blob.core.windows.net", Account: "acct",
				Container: "cont", Path: "a/vdir", TrailingSlash: true, SAS: "sv=2024-01-01&sig=abc%2Bdef%3D"},
		},
		{
			arg: "HTTPS://ACCT.Blob.Core.Windows.Net:443/cont/blob",
			want: Location{Kind: Blob, Endpoint: "https://ACCT.Blob.Core.Windows.Net:443", Account: "acct",
				Container: "cont", Path: "blob"},
		},
		{
			arg: "https://acct.file.core.windows.net/share/dir/f.txt?sv=1&sig=x",
			want: Location{Kind: File, Endpoint: "https://acct.file.core.windows.net", Account: "acct",
				Container: "share", Path: "dir/f.txt", SAS: "sv=1&sig=x"},
		},
		{
			arg:  "https://acct.blob.core.chinacloudapi.cn/c/p",
			want: Location{Kind: Blob, Endpoint: "https://acct.blob.core.chinacloudapi.cn", Account: "acct", Container: "c", Path: "p"},
		},
		{
			arg:  "https://acct.file.core.usgovcloudapi.net/s",
			want: Location{Kind: File, Endpoint: "https://acct.file.core.usgovcloudapi.net", Account: "acct", Container: "s"},
		},
		{
			arg:  "https://acct.z12.blob.storage.azure.net/c",
			want: Location{Kind: Blob, Endpoint: "https://acct.z12.blob.storage.azure.net", Account: "acct", Container: "c"},
		},
		{
			arg:  "https://acct.blob.core.windows.net./c",
			want: Location{Kind: Blob, Endpoint: "https://acct.blob.core.windows.net.", Account: "acct", Container: "c"},
		},
		{
			// Decoding: each segment is unescaped; %2F stays inside its segment.
			arg: "https://acct.blob.core.windows.net/c/dir%20one/%E2%82%AC%25%23%3F+%3B%26/a%2Fb",
			want: Location{Kind: Blob, Endpoint: "https://acct.blob.core.windows.net", Account: "acct",
				Container: "c", Path: "dir one/€%#?+;&/a/b"},
		},
		{
			// Unescaped spaces are tolerated in the path.
			arg:  "https://acct.blob.core.windows.net/c/my file.txt",
			want: Location{Kind: Blob, Endpoint: "https://acct.blob.core.windows.net", Account: "acct", Container: "c", Path: "my file.txt"},
		},
		{
			arg:  "https://acct.blob.core.windows.net/c//x//",
			want: Location{Kind: Blob, Endpoint: "https://acct.blob.core.windows.net", Account: "acct", Container: "c", Path: "x", TrailingSlash: true},
		},
		{
			arg:  "https://acct.blob.core.windows.net/c?",
			want: Location{Kind: Blob, Endpoint: "https://acct.blob.core.windows.net", Account: "acct", Container: "c"},
		},
		{
			arg:  "http://127.0.0.1:10000/devstoreaccount1/cont/dir?sv=1&sig=s",
			hint: Blob,
			want: Location{Kind: Blob, Endpoint: "http://127.0.0.1:10000/devstoreaccount1", Account: "devstoreaccount1",
				Container: "cont", Path: "dir", SAS: "sv=1&sig=s", PathStyle: true},
		},
		{
			arg:  "https://localhost:8443/acct/share/",
			hint: File,
			want: Location{Kind: File, Endpoint: "https://localhost:8443/acct", Account: "acct",
				Container: "share", TrailingSlash: true, PathStyle: true},
		},
		{
			arg:  "http://[::1]:10000/acct/c",
			hint: Blob,
			want: Location{Kind: Blob, Endpoint: "http://[::1]:10000/acct", Account: "acct", Container: "c", PathStyle: true},
		},
		{
			arg:  "http://storage.example.com/my%20acct/c",
			hint: Blob,
			want: Location{Kind: Blob, Endpoint: "http://storage.example.com/my%20acct", Account: "my acct", Container: "c", PathStyle: true},
		},
	}
	for _, tt := range tests {
		got, err := Parse(tt.arg, tt.hint)
		if err != nil {
			t.Errorf("Parse(%q, %v): %v", tt.arg, tt.hint, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Parse(%q, %v) =\n %+v, want\n %+v", tt.arg, tt.hint, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	const secret = "VerySecretSig123%3D"
	tests := []struct {
		arg  string
		hint Kind
		want string
	}{
		{"https://acct.dfs.core.windows.net/c/p?sig=" + secret, Unknown, "ADLS Gen2"},
		{"https://acct.queue.core.windows.net/q?sig=" + secret, Unknown, `Azure "queue" endpoint`},
		{"https://blob.core.windows.net/c?sig=" + secret, Unknown, "names no storage account"},
		{"https://.blob.core.windows.net/c?sig=" + secret, Unknown, "names no storage account"},
		{"https://acct.blob.core.windows.net?sig=" + secret, Unknown, "names no container; sync needs a container (or share) in the URL"},
		{"https://acct.blob.core.windows.net/?sig=" + secret, Unknown, "names no container"},
		{"https://acct.file.core.windows.net//x?sig=" + secret, Unknown, "names no container"},
		{"http://127.0.0.1:10000/devstoreaccount1?sig=" + secret, Blob, "names no container"},
		{"http://127.0.0.1:10000/?sig=" + secret, Blob, "names no storage account"},
		{"http://127.0.0.1:10000/acct/c?sig=" + secret, Unknown, "pass --from-to (e.g. --from-to=LocalBlob)"},
		{"https://acct.blob.core.windows.net/c?sig=" + secret, File, "Azure Blob endpoint, but --from-to says File"},
		{"https://acct.file.core.windows.net/c?sig=" + secret, Blob, "Azure File endpoint, but --from-to says Blob"},
		{"https://acct.blob.core.windows.net/c?sig=" + secret, Local, "--from-to says Local"},
		{"https://acct.blob.core.windows.net/c/a#b?sig=" + secret, Unknown, "%23"},
		{"https://acct.blob.core.windows.net/c/a?sig=" + secret + "#frag", Unknown, "%23"},
		{"https://user:pw@acct.blob.core.windows.net/c?sig=" + secret, Unknown, "user name or password"},
		{"https://acct.blob.core.windows.net/c?sv=1 2&sig=" + secret, Unknown, "space, quote or angle bracket"},
		{"https://acct.blob.core.windows.net/c?sig=" + secret + "&x=\"", Unknown, "space, quote or angle bracket"},
		{"https://acct.blob.core.windows.net/c/%zz?sig=" + secret, Unknown, "invalid URL"},
		{"https://acct.blob.core.windows.net:port/c?sig=" + secret, Unknown, "invalid port"},
		{"https://u:pw@acct.blob.core.windows.net:port/c?sig=" + secret, Unknown, "invalid port"},
		{"https:///c?sig=" + secret, Blob, "has no host"},
		{"http://%25/acct/c?sig=" + secret, Blob, "invalid host name"},
		{"http://a!b/acct/c?sig=" + secret, Blob, "invalid host name"},
		{"http://[fe80::1%25eth0]:1/acct/c?sig=" + secret, Blob, "invalid host name"},
		{"https://acct.blob.core.windows.net/c?sig=" + secret + "\x01", Unknown, "invalid URL"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.arg, tt.hint)
		if err == nil {
			t.Errorf("Parse(%q, %v) succeeded, want error containing %q", tt.arg, tt.hint, tt.want)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tt.want) {
			t.Errorf("Parse(%q, %v) error = %q, want containing %q", tt.arg, tt.hint, msg, tt.want)
		}
		if strings.Contains(msg, secret) || strings.Contains(msg, "pw@") {
			t.Errorf("Parse(%q) error leaks a secret: %q", tt.arg, msg)
		}
		if strings.Contains(msg, "\n") {
			t.Errorf("Parse(%q) error is not one line: %q", tt.arg, msg)
		}
	}
}

func TestResolve(t *testing.T) {
	const (
		blob  = "https://acct.blob.core.windows.net/c/p?sv=1&sig=s"
		file  = "https://acct.file.core.windows.net/s/p?sv=1&sig=s"
		local = "/tmp/dir/"
		emu   = "http://127.0.0.1:10000/devstoreaccount1/c"
	)
	tests := []struct {
		src, dst string
		fromTo   FromTo
		want     FromTo // the kinds of the result
		wantErr  string
	}{
		{src: local, dst: blob, want: FromTo{Local, Blob}},
		{src: blob, dst: local, want: FromTo{Blob, Local}},
		{src: blob, dst: blob, want: FromTo{Blob, Blob}},
		{src: file, dst: file, want: FromTo{File, File}},
		{src: local, dst: file, want: FromTo{Local, File}},
		{src: file, dst: local, want: FromTo{File, Local}},
		{src: local, dst: blob, fromTo: FromTo{Local, Blob}, want: FromTo{Local, Blob}},
		{src: local, dst: emu, fromTo: FromTo{Local, Blob}, want: FromTo{Local, Blob}},
		{src: local, dst: emu, fromTo: FromTo{Local, File}, want: FromTo{Local, File}},
		{src: emu, dst: emu, fromTo: FromTo{Blob, Blob}, want: FromTo{Blob, Blob}},
		{src: emu, dst: local, fromTo: FromTo{Blob, Local}, want: FromTo{Blob, Local}},

		{src: local, dst: local, wantErr: "syncing Local to Local is not supported"},
		{src: blob, dst: file, wantErr: "syncing Blob to File is not supported"},
		{src: file, dst: blob, wantErr: "syncing File to Blob is not supported"},
		{src: local, dst: blob, fromTo: FromTo{Local, File}, wantErr: "destination: URL"},
		{src: local, dst: blob, fromTo: FromTo{Blob, Local}, wantErr: "source: \"/tmp/dir/\" is a local path, but --from-to says Blob"},
		{src: blob, dst: local, fromTo: FromTo{Blob, Blob}, wantErr: "destination: \"/tmp/dir/\" is a local path"},
		{src: local, dst: emu, wantErr: "destination: URL http://127.0.0.1:10000/devstoreaccount1/c: the service (Blob or Files) cannot be told from a path-style URL; pass --from-to (e.g. --from-to=LocalBlob); here that is --from-to=LocalBlob or --from-to=LocalFile"},
		{src: emu, dst: local, wantErr: "here that is --from-to=BlobLocal or --from-to=FileLocal"},
		{src: emu, dst: file, wantErr: "source: URL http://127.0.0.1:10000/devstoreaccount1/c: the service (Blob or Files) cannot be told from a path-style URL; pass --from-to (e.g. --from-to=LocalBlob); here that is --from-to=FileFile"},
		{src: blob, dst: emu, wantErr: "here that is --from-to=BlobBlob"},
		{src: emu, dst: emu, wantErr: "source: URL http://127.0.0.1:10000/devstoreaccount1/c: the service (Blob or Files) cannot be told from a path-style URL; pass --from-to (e.g. --from-to=LocalBlob)"},
	}
	for _, tt := range tests {
		src, dst, err := Resolve(tt.src, tt.dst, tt.fromTo)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Resolve(%q, %q, %v) error = %v, want containing %q", tt.src, tt.dst, tt.fromTo, err, tt.wantErr)
			}
			if err != nil && strings.HasSuffix(tt.wantErr, "(e.g. --from-to=LocalBlob)") && !strings.HasSuffix(err.Error(), tt.wantErr) {
				t.Errorf("Resolve(%q, %q, %v) error = %v, want no suggestion", tt.src, tt.dst, tt.fromTo, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Resolve(%q, %q, %v): %v", tt.src, tt.dst, tt.fromTo, err)
			continue
		}
		if got := (FromTo{src.Kind, dst.Kind}); got != tt.want {
			t.Errorf("Resolve(%q, %q, %v) kinds = %v, want %v", tt.src, tt.dst, tt.fromTo, got, tt.want)
		}
	}
}

func TestURLs(t *testing.T) {
	blob := Location{Kind: Blob, Endpoint: "https://acct.blob.core.windows.net", Account: "acct",
		Container: "c", Path: "dir", SAS: "sv=1&SIG=abc%2B&se=2"}
	emu := Location{Kind: File, Endpoint: "http://127.0.0.1:1/acct", Account: "acct",
		Container: "my share", Path: "a b", TrailingSlash: true, PathStyle: true}
	tests := []struct {
		got, want string
	}{
		{blob.String(), "https://acct.blob.core.windows.net/c/dir?sv=1&SIG=REDACTED&se=2"},
		{blob.ContainerURL(), "https://acct.blob.core.windows.net/c?sv=1&SIG=abc%2B&se=2"},
		{blob.ObjectURL("dir/x y.txt"), "https://acct.blob.core.windows.net/c/dir/x%20y.txt?sv=1&SIG=abc%2B&se=2"},
		{blob.ObjectURL("%#?+;&=:@$é"), "https://acct.blob.core.windows.net/c/%25%23%3F%2B%3B%26%3D%3A%40%24%C3%A9?sv=1&SIG=abc%2B&se=2"},
		{blob.ObjectURL("e\u0301"), "https://acct.blob.core.windows.net/c/e%CC%81?sv=1&SIG=abc%2B&se=2"}, // NFD stays NFD
		{blob.ObjectURL("a\xffb/.../-_.~"), "https://acct.blob.core.windows.net/c/a%FFb/.../-_.~?sv=1&SIG=abc%2B&se=2"},
		{blob.ObjectURL(""), "https://acct.blob.core.windows.net/c/?sv=1&SIG=abc%2B&se=2"},
		{emu.String(), "http://127.0.0.1:1/acct/my%20share/a%20b/"},
		{emu.ContainerURL(), "http://127.0.0.1:1/acct/my%20share"},
		{emu.ObjectURL("a b/f"), "http://127.0.0.1:1/acct/my%20share/a%20b/f"},
		{Location{Kind: Blob, Endpoint: "https://h", Container: "c", TrailingSlash: true}.String(), "https://h/c/"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got  %q\nwant %q", tt.got, tt.want)
		}
	}
}

// TestObjectURLRoundTrip checks that awkward names survive ObjectURL and Parse
// byte for byte, and that Go's URL parser decodes them the same way.
func TestObjectURLRoundTrip(t *testing.T) {
	base := Location{Kind: Blob, Endpoint: "https://acct.blob.core.windows.net", Account: "acct", Container: "c", SAS: "sig=x"}
	names := []string{
		"plain", "with space", "100%", "hash#tag", "what?", "a+b", "semi;colon", "and&amp", "équipe",
		"e\u0301quipe", "trailing.", "dots...", "日本語/ファイル", "a%2Fb", "%41", "x=y", "\xff\xfe",
		strings.Repeat("long/", 200) + "end",
	}
	for _, name := range names {
		raw := base.ObjectURL(name)
		got, err := Parse(raw, Blob)
		if err != nil {
			t.Errorf("Parse(ObjectURL(%q)): %v", name, err)
			continue
		}
		if got.Path != name || got.SAS != base.SAS || got.Container != base.Container {
			t.Errorf("round trip of %q: got path %q, SAS %q, container %q", name, got.Path, got.SAS, got.Container)
		}
		u, err := url.Parse(raw)
		if err != nil || u.Path != "/c/"+name {
			t.Errorf("url.Parse(%q) path = %q, %v; want %q", raw, u.Path, err, "/c/"+name)
		}
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"no query", "no query"},
		{"https://a/c?sv=1&sig=abc&se=2", "https://a/c?sv=1&sig=REDACTED&se=2"},
		{"https://a/c?sig=abc", "https://a/c?sig=REDACTED"},
		{"?SIG=abc%2F%3D", "?SIG=REDACTED"},
		{"https://a/c?Sig=abc&sig=def", "https://a/c?Sig=REDACTED&sig=REDACTED"},
		{"https://a/c?%73ig=abc&si%67=def&%53%49%47=x", "https://a/c?%73ig=REDACTED&si%67=REDACTED&%53%49%47=REDACTED"},
		{"https://a/c?sig=", "https://a/c?sig="},
		{"https://a/c?sig=&x=1", "https://a/c?sig=&x=1"},
		{"https://a/c?sig=REDACTED", "https://a/c?sig=REDACTED"},
		{"https://a/c?xsig=abc&sigx=abc&sig", "https://a/c?xsig=abc&sigx=abc&sig"},
		{"https://a/sig=abc/c", "https://a/sig=abc/c"},
		{"https://a/c?sig=abc#frag", "https://a/c?sig=REDACTED#frag"},
		{"https://a/c#x?sig=abc", "https://a/c#x?sig=REDACTED"},
		{`Put "https://a/c?se=1&sig=abc": dial tcp: refused`, `Put "https://a/c?se=1&sig=REDACTED": dial tcp: refused`},
		{"copy https://a/c?sig=abc to https://b/d?sv=1&sig=def done", "copy https://a/c?sig=REDACTED to https://b/d?sv=1&sig=REDACTED done"},
		{"<https://a/c?sig=abc>", "<https://a/c?sig=REDACTED>"},
		{"'https://a/c?sig=abc'\n", "'https://a/c?sig=REDACTED'\n"},
		{"??sig=abc", "??sig=REDACTED"},
		{"?a=b?sig=abc", "?a=b?sig=REDACTED"},
		{"?sig=a=b?c", "?sig=REDACTED"},
		{"?sig=a\tb", "?sig=REDACTED\tb"},
		{"?%zz=abc&sig=d", "?%zz=abc&sig=REDACTED"},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}
