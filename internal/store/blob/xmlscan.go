package blob

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// xmlScanner splits a document into start tags, end tags and text, with entities and character
// references decoded and CDATA sections taken as text; the prolog, comments, processing
// instructions and declarations are skipped. It is no general XML parser: it reads the answers of
// a storage service, which are plain, and refuses anything it does not follow.
type xmlScanner struct {
	data []byte
	pos  int
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokStart
	tokEnd
	tokText
)

type xmlToken struct {
	kind        tokKind
	name        []byte // element name, without a namespace prefix; valid as long as the document
	text        []byte // tokText: decoded; valid until the next call
	selfClosing bool
	encoded     bool // the start tag has Encoded="true" (a blob name URL-encoded by the service)
}

func (s *xmlScanner) next() (xmlToken, error) {
	for {
		if s.pos >= len(s.data) {
			return xmlToken{kind: tokEOF}, nil
		}
		if s.data[s.pos] != '<' {
			return s.text()
		}
		rest := s.data[s.pos:]
		if len(rest) < 2 || (rest[1] != '!' && rest[1] != '?') {
			return s.tag() // nearly every time: the rest is the prolog, comments and CDATA
		}
		switch {
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			end := bytes.Index(rest, []byte("]]>"))
			if end < 0 {
				return xmlToken{}, errListXML
			}
			s.pos += end + 3
			return xmlToken{kind: tokText, text: rest[9:end]}, nil
		case bytes.HasPrefix(rest, []byte("<!--")):
			end := bytes.Index(rest, []byte("-->"))
			if end < 0 {
				return xmlToken{}, errListXML
			}
			s.pos += end + 3
		default: // <? … ?> and <! … >
			end := bytes.IndexByte(rest, '>')
			if end < 0 {
				return xmlToken{}, errListXML
			}
			s.pos += end + 1
		}
	}
}

// text reads up to the next '<', decoding references.
func (s *xmlScanner) text() (xmlToken, error) {
	end := bytes.IndexByte(s.data[s.pos:], '<')
	if end < 0 {
		end = len(s.data) - s.pos
	}
	raw := s.data[s.pos : s.pos+end]
	s.pos += end
	if bytes.IndexByte(raw, '\r') >= 0 {
		// Line ends are normalized to "\n", as every XML parser does (encoding/xml included).
		raw = bytes.ReplaceAll(bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n"))
	}
	if bytes.IndexByte(raw, '&') < 0 {
		return xmlToken{kind: tokText, text: raw}, nil
	}
	out, err := unescapeXML(raw)
	return xmlToken{kind: tokText, text: out}, err
}

// tag reads <name attr="v" …>, <name …/> or </name>.
func (s *xmlScanner) tag() (xmlToken, error) {
	end := bytes.IndexByte(s.data[s.pos:], '>')
	if end < 0 {
		return xmlToken{}, errListXML
	}
	inner := s.data[s.pos+1 : s.pos+end]
	s.pos += end + 1
	tok := xmlToken{kind: tokStart}
	if len(inner) > 0 && inner[0] == '/' {
		tok.kind = tokEnd
		inner = inner[1:]
		for len(inner) > 0 && isSpace(inner[len(inner)-1]) {
			inner = inner[:len(inner)-1]
		}
	} else if len(inner) > 0 && inner[len(inner)-1] == '/' {
		tok.selfClosing = true
		inner = inner[:len(inner)-1]
	}
	nameStart, nameEnd := 0, 0 // the name follows a namespace prefix's first ':'
	for nameEnd < len(inner) && !isSpace(inner[nameEnd]) {
		if inner[nameEnd] == ':' && nameStart == 0 {
			nameStart = nameEnd + 1
		}
		nameEnd++
	}
	name := inner[nameStart:nameEnd]
	if len(name) == 0 || (tok.kind == tokEnd && nameEnd != len(inner)) {
		return xmlToken{}, errListXML
	}
	tok.name = name
	if tok.kind == tokStart && nameEnd < len(inner) {
		encoded, err := encodedAttr(inner[nameEnd:])
		if err != nil {
			return xmlToken{}, err
		}
		tok.encoded = encoded
	}
	return tok, nil
}

// encodedAttr reads a start tag's attributes and reports whether Encoded is "true".
func encodedAttr(attrs []byte) (bool, error) {
	encoded := false
	for {
		attrs = bytes.TrimLeft(attrs, " \t\r\n")
		if len(attrs) == 0 {
			return encoded, nil
		}
		eq := bytes.IndexByte(attrs, '=')
		if eq < 0 || eq+1 >= len(attrs) {
			return false, errListXML
		}
		key := bytes.TrimRight(attrs[:eq], " \t\r\n")
		rest := bytes.TrimLeft(attrs[eq+1:], " \t\r\n")
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			return false, errListXML
		}
		close := bytes.IndexByte(rest[1:], rest[0])
		if close < 0 {
			return false, errListXML
		}
		if string(key) == "Encoded" {
			v, err := unescapeXML(rest[1 : 1+close])
			if err != nil {
				return false, err
			}
			encoded = string(v) == "true"
		}
		attrs = rest[close+2:]
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// unescapeXML decodes the five predefined entities and character references.
func unescapeXML(raw []byte) ([]byte, error) {
	out := make([]byte, 0, len(raw))
	for len(raw) > 0 {
		i := bytes.IndexByte(raw, '&')
		if i < 0 {
			return append(out, raw...), nil
		}
		out = append(out, raw[:i]...)
		raw = raw[i:]
		semi := bytes.IndexByte(raw, ';')
		if semi < 0 {
			return nil, errListXML
		}
		ref := string(raw[1:semi])
		raw = raw[semi+1:]
		switch ref {
		case "lt":
			out = append(out, '<')
		case "gt":
			out = append(out, '>')
		case "amp":
			out = append(out, '&')
		case "quot":
			out = append(out, '"')
		case "apos":
			out = append(out, '\'')
		default:
			r, err := charRef(ref)
			if err != nil {
				return nil, err
			}
			out = utf8.AppendRune(out, r)
		}
	}
	return out, nil
}

func charRef(ref string) (rune, error) {
	if len(ref) < 2 || ref[0] != '#' {
		return 0, errListXML
	}
	base, digits := 10, ref[1:]
	if digits[0] == 'x' {
		base, digits = 16, digits[1:]
	}
	n, err := strconv.ParseUint(digits, base, 32)
	if err != nil || n == 0 || !utf8.ValidRune(rune(n)) {
		return 0, errListXML
	}
	return rune(n), nil
}
