package logging

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode"
)

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"no secret", "copied a/b.txt (12 bytes)", "copied a/b.txt (12 bytes)"},
		{"sas url",
			"https://a.blob.core.windows.net/c/x?sv=2024-05-04&se=2026&sig=AbC%2Bd%3D&sp=r",
			"https://a.blob.core.windows.net/c/x?sv=2024-05-04&se=2026&sig=REDACTED&sp=r"},
		{"sig first and last", "?sig=abc", "?sig=REDACTED"},
		{"key case kept", "x?SIG=abc def", "x?SIG=REDACTED def"},
		{"ends at quote", `"url":"https://h/c?sig=abc"`, `"url":"https://h/c?sig=REDACTED"`},
		{"ends at single quote", "'https://h/c?sig=abc'", "'https://h/c?sig=REDACTED'"},
		{"several", "?sig=a1 and &sig=b2", "?sig=REDACTED and &sig=REDACTED"},
		{"url encoded", "src=https%3A%2F%2Fh%2Fc%3Fsv%3D1%26sig%3Dabc%2B", "src=https%3A%2F%2Fh%2Fc%3Fsv%3D1%26sig%3DREDACTED"},
		{"json escaped ampersand", `"https://h/c?sv=1\u0026sig=abc\u0026sp=r"`, `"https://h/c?sv=1\u0026sig=REDACTED\u0026sp=r"`},
		{"not a parameter", "design=final.txt usig=x", "design=final.txt usig=x"},
		{"bearer header", "Authorization: Bearer eyJ0eXAi.eyJhdWQi.c2ln\r\nx-ms-date: now",
			"Authorization: REDACTED\r\nx-ms-date: now"},
		{"shared key header", "authorization: SharedKey devstoreaccount1:Zm9vYmFy", "authorization: REDACTED"},
		{"copy source authorization", "x-ms-copy-source-authorization: Bearer abc.def", "x-ms-copy-source-authorization: REDACTED"},
		{"json header", `{"Authorization":"Bearer abc","Date":"now"}`, `{"Authorization":"REDACTED","Date":"now"}`},
		{"lone bearer", "token Bearer abc.def-ghi_jk= expired", "token Bearer REDACTED expired"},
		{"bearer cannot hide a signature", "Bearer sig=abcdefgh&x=1", "Bearer REDACTED&x=1"},
		{"connection string", "DefaultEndpointsProtocol=http;AccountName=dev;AccountKey=Eby8vdM02x==;BlobEndpoint=x",
			"DefaultEndpointsProtocol=http;AccountName=dev;AccountKey=REDACTED;BlobEndpoint=x"},
		{"error codes untouched", "AuthorizationPermissionMismatch: not authorized", "AuthorizationPermissionMismatch: not authorized"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Redact(tc.in); got != tc.want {
				t.Errorf("Redact(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

// Redacting text that is already JSON-encoded must keep it valid JSON.
func TestRedactKeepsJSONValid(t *testing.T) {
	for _, s := range []string{
		`https://h/c?sv=1&sig=abc"def`,
		`Authorization: Bearer x"y\z`,
		"https://h/c?sig=abc\\u0026x=<y>",
	} {
		enc, err := json.Marshal(map[string]string{"m": s})
		if err != nil {
			t.Fatal(err)
		}
		twice, _ := json.Marshal(map[string]string{"outer": string(enc)})
		for _, doc := range [][]byte{enc, twice} {
			red := Redact(string(doc))
			if !json.Valid([]byte(red)) {
				t.Errorf("Redact(%s) = %s: not valid JSON", doc, red)
			}
			if strings.Contains(red, "abc") {
				t.Errorf("Redact(%s) = %s: signature left", doc, red)
			}
		}
	}
}

func isAlnum(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

func FuzzRedact(f *testing.F) {
	f.Add("https://a.blob.core.windows.net/c/x", "Zm9vYmFyYmF6", "sp=r&se=2026")
	f.Add("Authorization: Bearer x ", "abcdefgh", "")
	f.Add("", "REDACTEDX", "sig=")
	f.Add("\\u0026", "0123456789", "\"}")
	f.Fuzz(func(t *testing.T, prefix, sig, suffix string) {
		in := prefix + "?sig=" + sig + "&" + suffix
		out := Redact(in)
		if again := Redact(out); again != out {
			t.Fatalf("Redact is not idempotent on %q: %q then %q", in, out, again)
		}
		// The signature may legitimately remain where the input has it
		// elsewhere, or where it is part of the word REDACTED itself.
		if len(sig) < 8 || !isAlnum(sig) || strings.Contains(prefix, sig) ||
			strings.Contains(suffix, sig) || strings.Contains(Redacted, sig) {
			return
		}
		if strings.Contains(out, sig) {
			t.Fatalf("Redact(%q) = %q still holds the signature", in, out)
		}
	})
}
