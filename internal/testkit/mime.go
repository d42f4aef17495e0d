// Package testkit holds what the tests of several packages share: golden
// files, a strict MIME walk of exported messages, and the sample files.
package testkit

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// Part is one MIME entity of a message, parsed with net/mail, mime and
// mime/multipart: a multipart's children, a message/rfc822's message, or
// a leaf's transfer-decoded body.
type Part struct {
	Header   mail.Header
	Type     string            // media type, lower case
	Params   map[string]string // its parameters (charset, boundary, name, ...)
	Body     []byte            // a leaf's body, transfer-decoded; a message/rfc822's raw
	Children []*Part           // a multipart's parts
	Message  *Part             // a message/rfc822's message, parsed
}

// maxDepth bounds the nesting of entities.
const maxDepth = 32

// ParseMessage parses an Internet message and walks its MIME structure,
// failing on anything net/mail, mime or mime/multipart reject, on a
// multipart without parts or boundary, and on an unknown transfer encoding.
func ParseMessage(b []byte) (*Part, error) { return parseMessage(b, 0) }

func parseMessage(b []byte, depth int) (*Part, error) {
	m, err := mail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("net/mail: %w", err)
	}
	body, err := io.ReadAll(m.Body)
	if err != nil {
		return nil, err
	}
	return parseEntity(m.Header, body, depth)
}

func parseEntity(h mail.Header, body []byte, depth int) (*Part, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("MIME entities nest more than %d deep", maxDepth)
	}
	p := &Part{Header: h}
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain"
	}
	var err error
	if p.Type, p.Params, err = mime.ParseMediaType(ct); err != nil {
		return nil, fmt.Errorf("Content-Type %q: %w", ct, err)
	}
	cte := strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding")))
	switch {
	case strings.HasPrefix(p.Type, "multipart/"):
		if cte != "" && cte != "7bit" && cte != "8bit" && cte != "binary" {
			return nil, fmt.Errorf("%s with transfer encoding %s", p.Type, cte)
		}
		if p.Params["boundary"] == "" {
			return nil, fmt.Errorf("%s without a boundary", p.Type)
		}
		mr := multipart.NewReader(bytes.NewReader(body), p.Params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p.Type, err)
			}
			pb, err := io.ReadAll(part)
			if err != nil {
				return nil, fmt.Errorf("%s part %d: %w", p.Type, len(p.Children), err)
			}
			c, err := parseEntity(mail.Header(part.Header), pb, depth+1)
			if err != nil {
				return nil, err
			}
			p.Children = append(p.Children, c)
		}
		if len(p.Children) == 0 {
			return nil, fmt.Errorf("%s without parts", p.Type)
		}
	case p.Type == "message/rfc822":
		p.Body = body
		if p.Message, err = parseMessage(body, depth+1); err != nil {
			return nil, err
		}
	default:
		switch cte {
		case "quoted-printable":
			p.Body, err = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		case "base64":
			p.Body, err = io.ReadAll(base64.NewDecoder(base64.StdEncoding, bytes.NewReader(body)))
		case "", "7bit", "8bit", "binary":
			p.Body = body
		default:
			err = fmt.Errorf("unknown transfer encoding %q", cte)
		}
		if err != nil {
			return nil, fmt.Errorf("%s body: %w", p.Type, err)
		}
	}
	return p, nil
}

// Leaves returns the leaf entities in order (a message/rfc822 is a leaf:
// its message is in Message).
func (p *Part) Leaves() []*Part {
	if len(p.Children) == 0 {
		return []*Part{p}
	}
	var out []*Part
	for _, c := range p.Children {
		out = append(out, c.Leaves()...)
	}
	return out
}

// Disposition returns the Content-Disposition and its parameters ("" when
// there is none or it does not parse).
func (p *Part) Disposition() (string, map[string]string) {
	d, ps, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	if err != nil {
		return "", nil
	}
	return d, ps
}

// Filename is the Content-Disposition filename, else the Content-Type
// name.
func (p *Part) Filename() string {
	if _, ps := p.Disposition(); ps["filename"] != "" {
		return ps["filename"]
	}
	return p.Params["name"]
}
