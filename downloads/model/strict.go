package model

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// What encoding/json lets through and the API must not (api.md, "Errors"):
// it matches member names case-insensitively ({"id":"a","ID":"b"} sets ID
// to "b"), and it turns invalid UTF-8 and lone surrogates into U+FFFD, so
// that two different ids become one. checkStrict walks the raw body beside
// the Go type it is decoded into, before encoding/json sees it: every
// member name must equal a field's name exactly, every string must be
// valid UTF-8 without lone surrogates, and a base64 upload body may not be
// longer than MaxUploadBytes encodes to (refused before it is decoded).

// errSyntax marks a body checkStrict cannot read; encoding/json then says
// what is wrong in its own words.
var errSyntax = errors.New("malformed JSON")

// checkStrict checks data, one JSON value for a v of type t, and that
// nothing follows it.
func checkStrict(data []byte, t reflect.Type) error {
	return checkStrictUpTo(data, t, MaxUploadBytes)
}

// checkStrictUpTo is checkStrict with uploads of at most maxUpload bytes.
func checkStrictUpTo(data []byte, t reflect.Type, maxUpload int) error {
	s := &strictScanner{data: data, maxBase64: base64.StdEncoding.EncodedLen(maxUpload), maxUpload: maxUpload}
	if err := s.value(t, ""); err != nil {
		return err
	}
	s.space()
	if s.pos < len(s.data) {
		return TypeErrorf("the body holds more than one JSON value")
	}
	return nil
}

type strictScanner struct {
	data      []byte
	pos       int
	maxBase64 int // the longest base64 text of an upload body
	maxUpload int
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// value checks one value at path for type t (nil: any).
func (s *strictScanner) value(t reflect.Type, path string) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	s.space()
	if s.pos >= len(s.data) {
		return errSyntax
	}
	if t != nil && (reflect.PointerTo(t).Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler)) {
		t = nil // decodes itself (and checks its parts with DecodeStrict)
	}
	switch c := s.data[s.pos]; {
	case c == '{':
		return s.object(t, path)
	case c == '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		return s.array(elem, path)
	case c == '"':
		start := s.pos
		if _, err := s.str(path); err != nil {
			return err
		}
		if t != nil && t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 && s.pos-start-2 > s.maxBase64 {
			return TypeErrorf("%s: the body is larger than the limit of %d bytes", pathName(path), s.maxUpload)
		}
		return nil
	}
	// A number, true, false or null: encoding/json checks those.
	for s.pos < len(s.data) && !strings.ContainsRune(",]} \t\r\n", rune(s.data[s.pos])) {
		s.pos++
	}
	return nil
}

func (s *strictScanner) object(t reflect.Type, path string) error {
	var fields map[string]reflect.Type
	isStruct := t != nil && t.Kind() == reflect.Struct
	if isStruct {
		fields = fieldsOf(t)
	}
	s.pos++ // {
	for first := true; ; first = false {
		s.space()
		if s.pos < len(s.data) && s.data[s.pos] == '}' && first {
			s.pos++
			return nil
		}
		key, err := s.str(path)
		if err != nil {
			return err
		}
		var vt reflect.Type
		switch {
		case isStruct:
			ft, ok := fields[key]
			if !ok {
				return unknownField(key, fields)
			}
			vt = ft
		case t != nil && t.Kind() == reflect.Map:
			vt = t.Elem()
		}
		if s.space(); s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return errSyntax
		}
		s.pos++
		if err := s.value(vt, joinPath(path, key)); err != nil {
			return err
		}
		if end, err := s.separator('}'); end || err != nil {
			return err
		}
	}
}

// separator reads what follows a member or an element: a comma (more to
// come) or close, the end of the object or array.
func (s *strictScanner) separator(close byte) (end bool, err error) {
	s.space()
	if s.pos >= len(s.data) {
		return false, errSyntax
	}
	switch s.data[s.pos] {
	case ',':
		s.pos++
		return false, nil
	case close:
		s.pos++
		return true, nil
	}
	return false, errSyntax
}

func (s *strictScanner) array(elem reflect.Type, path string) error {
	s.pos++ // [
	for i := 0; ; i++ {
		s.space()
		if s.pos < len(s.data) && s.data[s.pos] == ']' && i == 0 {
			s.pos++
			return nil
		}
		if err := s.value(elem, path+"["+strconv.Itoa(i)+"]"); err != nil {
			return err
		}
		if end, err := s.separator(']'); end || err != nil {
			return err
		}
	}
}

// str reads a string at s.pos and returns its value; invalid UTF-8 and
// lone surrogates are a TypeError naming path.
func (s *strictScanner) str(path string) (string, error) {
	if s.pos >= len(s.data) || s.data[s.pos] != '"' {
		return "", errSyntax
	}
	start := s.pos + 1
	escaped := false
	i := start
	for {
		// Jump to the next quote or backslash (IndexByte is fast on long
		// base64 bodies).
		q := bytes.IndexByte(s.data[i:], '"')
		if q < 0 {
			return "", errSyntax
		}
		b := bytes.IndexByte(s.data[i:i+q], '\\')
		if b < 0 {
			i += q
			break
		}
		i += b
		escaped = true
		if i+1 >= len(s.data) {
			return "", errSyntax
		}
		if s.data[i+1] == 'u' {
			if err := s.checkEscape(i, path); err != nil {
				return "", err
			}
		}
		i += 2
	}
	raw := s.data[start:i]
	s.pos = i + 1
	if !utf8.Valid(raw) {
		return "", TypeErrorf("%s is not valid UTF-8 (byte %d of the body)", pathName(path), start+invalidAt(raw))
	}
	if !escaped {
		return string(raw), nil
	}
	var v string
	if err := json.Unmarshal(s.data[start-1:s.pos], &v); err != nil {
		return "", errSyntax
	}
	return v, nil
}

// checkEscape refuses a \uXXXX escape at data[i] that is half of a
// surrogate pair without its other half.
func (s *strictScanner) checkEscape(i int, path string) error {
	r, ok := hex4(s.data, i+2)
	if !ok {
		return errSyntax
	}
	switch {
	case utf16.IsSurrogate(r) && r < 0xdc00: // high: a low one must follow
		if lo, ok := hex4(s.data, i+8); ok && i+7 < len(s.data) && s.data[i+6] == '\\' && s.data[i+7] == 'u' && lo >= 0xdc00 && lo <= 0xdfff {
			return nil
		}
	case utf16.IsSurrogate(r): // a low one: fine only after a high one
		if hi, ok := hex4(s.data, i-4); ok && i >= 6 && s.data[i-6] == '\\' && s.data[i-5] == 'u' && hi >= 0xd800 && hi < 0xdc00 {
			return nil
		}
	default:
		return nil
	}
	return TypeErrorf("%s holds a lone UTF-16 surrogate (\\u%04x), which is not a character", pathName(path), r)
}

func hex4(b []byte, at int) (rune, bool) {
	if at < 0 || at+4 > len(b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[at:at+4]), 16, 16)
	return rune(n), err == nil
}

func invalidAt(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return 0
}

func (s *strictScanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\r', '\n':
			s.pos++
		default:
			return
		}
	}
}

// unknownField says which name was meant when only the case differs.
func unknownField(key string, fields map[string]reflect.Type) error {
	for name := range fields {
		if strings.EqualFold(name, key) {
			return TypeErrorf("unknown field %q: did you mean %q? (fields are case-sensitive; see api.md)", key, name)
		}
	}
	return TypeErrorf("unknown field %q (fields are case-sensitive; see api.md)", key)
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func pathName(path string) string {
	if path == "" {
		return "the body"
	}
	return path
}

var fieldCache sync.Map // reflect.Type → map[string]reflect.Type

// fieldsOf maps each JSON member name of struct t to its field's type,
// as encoding/json names them (tags, embedded structs).
func fieldsOf(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range fieldsOf(ft) {
					if _, taken := m[k]; !taken {
						m[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = ft
	}
	fieldCache.Store(t, m)
	return m
}
