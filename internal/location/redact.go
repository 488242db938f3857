package location

import "github.com/azsync/azsync/internal/sas"

// redacted replaces a signature in displayed text.
const redacted = sas.Redacted

// RedactURL returns s with the value of every secret SAS query parameter
// ("sig", the signature) replaced by REDACTED; see sas.Redact for how
// parameters are found in text.
func RedactURL(s string) string { return sas.Redact(s) }

// endsValue reports whether c ends a query parameter's value in RedactURL.
func endsValue(c byte) bool { return sas.EndsValue(c) }
