// Package xmlscan reads the plain XML of storage services' listing answers a token at a time,
// without reflection: the stores decode List Blobs and List Directories and Files answers with it
// straight into entries (see the blob and files stores' listxml.go).
package xmlscan

import (
	"bytes"
	"errors"
	"strconv"
	"unicode/utf8"
)

// Scanner splits a document into start tags, end tags and text, with entities and character
// references decoded and CDATA sections taken as text; the prolog, comments, processing
// instructions and declarations are skipped. It is no general XML parser: it reads the answers of
// a storage service, which are plain, and refuses anything it does not follow.
type Scanner struct {
	data []byte
	pos  int
}

// New returns a scanner of data.
func New(data []byte) Scanner { return Scanner{data: data} }

// ErrUnexpected is XML the scanner does not follow: the caller leaves the answer to the SDK.
var ErrUnexpected = errors.New("unexpected listing XML")

// Kind is what a token is.
type Kind int

// The kinds of tokens.

const (
	EOF Kind = iota
	Start
	End
	Text
)

// Token is one start tag, end tag or piece of text.
type Token struct {
	Kind        Kind
	Name        []byte // element name, without a namespace prefix; valid as long as the document
	Text        []byte // Text: decoded; valid until the next call
	SelfClosing bool
	Encoded     bool // the start tag has Encoded="true" (a name URL-encoded by the service)
}

// Next returns the next token, EOF at the end of the document.
func (s *Scanner) Next() (Token, error) {
	for {
		if s.pos >= len(s.data) {
			return Token{Kind: EOF}, nil
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
				return Token{}, ErrUnexpected
			}
			s.pos += end + 3
			return Token{Kind: Text, Text: rest[9:end]}, nil
		case bytes.HasPrefix(rest, []byte("<!--")):
			end := bytes.Index(rest, []byte("-->"))
			if end < 0 {
				return Token{}, ErrUnexpected
			}
			s.pos += end + 3
		default: // <? … ?> and <! … >
			end := bytes.IndexByte(rest, '>')
			if end < 0 {
				return Token{}, ErrUnexpected
			}
			s.pos += end + 1
		}
	}
}

// text reads up to the next '<', decoding references.
func (s *Scanner) text() (Token, error) {
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
		return Token{Kind: Text, Text: raw}, nil
	}
	out, err := unescapeXML(raw)
	return Token{Kind: Text, Text: out}, err
}

// tag reads <name attr="v" …>, <name …/> or </name>.
func (s *Scanner) tag() (Token, error) {
	end := bytes.IndexByte(s.data[s.pos:], '>')
	if end < 0 {
		return Token{}, ErrUnexpected
	}
	inner := s.data[s.pos+1 : s.pos+end]
	s.pos += end + 1
	tok := Token{Kind: Start}
	if len(inner) > 0 && inner[0] == '/' {
		tok.Kind = End
		inner = inner[1:]
		for len(inner) > 0 && isSpace(inner[len(inner)-1]) {
			inner = inner[:len(inner)-1]
		}
	} else if len(inner) > 0 && inner[len(inner)-1] == '/' {
		tok.SelfClosing = true
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
	if len(name) == 0 || (tok.Kind == End && nameEnd != len(inner)) {
		return Token{}, ErrUnexpected
	}
	tok.Name = name
	if tok.Kind == Start && nameEnd < len(inner) {
		encoded, err := encodedAttr(inner[nameEnd:])
		if err != nil {
			return Token{}, err
		}
		tok.Encoded = encoded
	}
	return tok, nil
}

// encodedAttr reads a start tag's attributes and reports whether Encoded is "true". Any other value
// than "true" or "false" is refused: the SDKs read it as a bool, which takes "1" or "True" too.
func encodedAttr(attrs []byte) (bool, error) {
	encoded := false
	for {
		attrs = bytes.TrimLeft(attrs, " \t\r\n")
		if len(attrs) == 0 {
			return encoded, nil
		}
		eq := bytes.IndexByte(attrs, '=')
		if eq < 0 || eq+1 >= len(attrs) {
			return false, ErrUnexpected
		}
		key := bytes.TrimRight(attrs[:eq], " \t\r\n")
		rest := bytes.TrimLeft(attrs[eq+1:], " \t\r\n")
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			return false, ErrUnexpected
		}
		close := bytes.IndexByte(rest[1:], rest[0])
		if close < 0 {
			return false, ErrUnexpected
		}
		if string(key) == "Encoded" {
			v, err := unescapeXML(rest[1 : 1+close])
			if err != nil {
				return false, err
			}
			switch string(v) {
			case "true", "false":
				encoded = string(v) == "true"
			default:
				return false, ErrUnexpected
			}
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
			return nil, ErrUnexpected
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
		return 0, ErrUnexpected
	}
	base, digits := 10, ref[1:]
	if digits[0] == 'x' {
		base, digits = 16, digits[1:]
	}
	n, err := strconv.ParseUint(digits, base, 32)
	if err != nil || n == 0 || !utf8.ValidRune(rune(n)) {
		return 0, ErrUnexpected
	}
	return rune(n), nil
}

// TextBuf gathers the text of the element being read. A value is nearly always one piece, which
// stays where it is (text tokens are never overwritten); only pieces after it are copied together.
type TextBuf struct {
	text, buf []byte
}

// Add adds a piece of text.
func (t *TextBuf) Add(p []byte) {
	switch {
	case len(t.text) == 0:
		t.text = p
	case len(t.buf) > 0 && &t.text[0] == &t.buf[0]:
		t.buf = append(t.buf, p...)
		t.text = t.buf
	default:
		t.buf = append(append(t.buf[:0], t.text...), p...)
		t.text = t.buf
	}
}

// Bytes is the text gathered since the last Reset.
func (t *TextBuf) Bytes() []byte { return t.text }

// Reset starts the next element's text.
func (t *TextBuf) Reset() { t.text = nil }

// Handler is told of a document's elements by Walk.
type Handler interface {
	// Start is an element's start tag; Depth and Path are still its parent's.
	Start(w *Walker, tok Token) error
	// End is its end (right after Start when self-closing), with its text; Path ends with it.
	End(w *Walker, tok Token, text []byte) error
}

// Walker is where Walk is in the document: the names of the open elements from the root, as far
// as a reader of listings looks, and how many are open.
type Walker struct {
	Path  [6][]byte
	Depth int
}

// Walk reads a whole document whose root element is root, telling h of its elements; an element's
// text is what it holds outside its child elements.
func Walk(data []byte, root string, h Handler) error {
	sc := New(data)
	var w Walker
	var text TextBuf
	for {
		tok, err := sc.Next()
		if err != nil {
			return err
		}
		switch tok.Kind {
		case EOF:
			if w.Depth != 0 || string(w.Path[0]) != root {
				return ErrUnexpected
			}
			return nil
		case Text:
			text.Add(tok.Text)
		case Start:
			if err = h.Start(&w, tok); err != nil {
				return err
			}
			if w.Depth < len(w.Path) {
				w.Path[w.Depth] = tok.Name
			}
			w.Depth++
			text.Reset()
			if tok.SelfClosing {
				err = w.end(h, tok, &text)
			}
		case End:
			err = w.end(h, tok, &text)
		}
		if err != nil {
			return err
		}
	}
}

func (w *Walker) end(h Handler, tok Token, text *TextBuf) error {
	if w.Depth == 0 || (w.Depth <= len(w.Path) && !bytes.Equal(w.Path[w.Depth-1], tok.Name)) {
		return ErrUnexpected
	}
	if err := h.End(w, tok, text.Bytes()); err != nil {
		return err
	}
	w.Depth--
	text.Reset()
	return nil
}
