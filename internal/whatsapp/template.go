package whatsapp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Template parameter formats ([Template.ParameterFormat]), lowercase.
const (
	FormatPositional = "positional" // {{1}}, {{2}}, ...
	FormatNamed      = "named"      // {{first_name}}, ...
)

// TemplateApproved is the only template status that can be sent.
const TemplateApproved = "APPROVED"

// Template component types and header formats, as template definitions
// spell them (uppercase; send payloads use lowercase).
const (
	ComponentHeader  = "HEADER"
	ComponentBody    = "BODY"
	ComponentFooter  = "FOOTER"
	ComponentButtons = "BUTTONS"

	HeaderText     = "TEXT"
	HeaderImage    = "IMAGE"
	HeaderVideo    = "VIDEO"
	HeaderDocument = "DOCUMENT"
	HeaderLocation = "LOCATION"

	ButtonQuickReply  = "QUICK_REPLY"
	ButtonURL         = "URL"
	ButtonPhoneNumber = "PHONE_NUMBER"
	ButtonCopyCode    = "COPY_CODE"
)

// Template is a message template of a WhatsApp Business Account, as
// listed by [Client.ListTemplates]. Status and Category are as Meta spells
// them (APPROVED, UTILITY, ...); ParameterFormat is "positional" or
// "named" (lowercase; positional when Meta omits it).
type Template struct {
	ID              string      `json:"id,omitempty"`
	Name            string      `json:"name"`
	Language        string      `json:"language"`
	Status          string      `json:"status"`
	Category        string      `json:"category"`
	Components      []Component `json:"components"`
	ParameterFormat string      `json:"parameter_format"`
}

// Component is one part of a template definition: a HEADER (Format TEXT,
// IMAGE, VIDEO, DOCUMENT or LOCATION; Text for TEXT), the BODY (Text), a
// FOOTER (Text) or BUTTONS. Example is kept as Meta gives it.
type Component struct {
	Type    string           `json:"type"`
	Format  string           `json:"format,omitempty"`
	Text    string           `json:"text,omitempty"`
	Buttons []TemplateButton `json:"buttons,omitempty"`
	Example json.RawMessage  `json:"example,omitempty"`
}

// TemplateButton is a button of a template's BUTTONS component. A URL
// button whose URL contains {{1}} takes a value when sent.
type TemplateButton struct {
	Type        string          `json:"type"`
	Text        string          `json:"text,omitempty"`
	URL         string          `json:"url,omitempty"`
	PhoneNumber string          `json:"phone_number,omitempty"`
	Example     json.RawMessage `json:"example,omitempty"`
}

// Approved reports whether t may be sent.
func (t Template) Approved() bool { return t.Status == TemplateApproved }

// Named reports whether t uses named parameters ({{first_name}}).
func (t Template) Named() bool { return t.ParameterFormat == FormatNamed }

// component returns the first component of type typ (case-insensitive).
func (t Template) component(typ string) *Component {
	for i := range t.Components {
		if strings.EqualFold(t.Components[i].Type, typ) {
			return &t.Components[i]
		}
	}
	return nil
}

// headerText returns the text of a TEXT header, or "".
func (t Template) headerText() string {
	h := t.component(ComponentHeader)
	if h == nil || (h.Format != "" && !strings.EqualFold(h.Format, HeaderText)) {
		return ""
	}
	return h.Text
}

func (t Template) bodyText() string {
	if b := t.component(ComponentBody); b != nil {
		return b.Text
	}
	return ""
}

// placeholder matches {{1}} and {{first_name}}.
var placeholder = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\s*\}\}`)

// positionalCount returns the highest {{n}} in text.
func positionalCount(text string) int {
	n := 0
	for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
		if v, err := strconv.Atoi(m[1]); err == nil && v > n && v <= 1000 {
			n = v
		}
	}
	return n
}

// namedParams returns the distinct {{name}} of text in order of first
// appearance, appended to seen.
func namedParams(text string, seen []string) []string {
	for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
		if !slices.Contains(seen, m[1]) {
			seen = append(seen, m[1])
		}
	}
	return seen
}

// Parameters returns the values t needs in its TEXT header and BODY. For a
// named template, names are the distinct parameter names (header first,
// then body, in order of appearance; a name in both takes one value) and
// count is len(names). For a positional template names is nil and count is
// the header's highest {{n}} plus the body's: positional values are the
// header's followed by the body's.
func (t Template) Parameters() (names []string, count int) {
	if t.Named() {
		names = namedParams(t.headerText(), nil)
		names = namedParams(t.bodyText(), names)
		return names, len(names)
	}
	return nil, positionalCount(t.headerText()) + positionalCount(t.bodyText())
}

// SendComponent is one component of a template send: "header", "body" or
// "button" (with SubType "quick_reply", "url", "copy_code" and Index).
type SendComponent struct {
	Type       string          `json:"type"`
	SubType    string          `json:"sub_type,omitempty"`
	Index      string          `json:"index,omitempty"`
	Parameters []SendParameter `json:"parameters"`
}

// SendParameter is one value of a [SendComponent]. Text parameters of
// named templates carry ParameterName.
type SendParameter struct {
	Type          string         `json:"type"`
	ParameterName string         `json:"parameter_name,omitempty"`
	Text          string         `json:"text,omitempty"`
	Payload       string         `json:"payload,omitempty"`
	CouponCode    string         `json:"coupon_code,omitempty"`
	Image         *OutgoingMedia `json:"image,omitempty"`
	Video         *OutgoingMedia `json:"video,omitempty"`
	Document      *OutgoingMedia `json:"document,omitempty"`
	Location      *Location      `json:"location,omitempty"`
}

// TemplateParamError says why template values do not fit a template.
// Field names the offending input as papo's API reports it:
// "template.parameters" (count, names or a value), "template.header" (a
// media or location header without its value) or "template.buttons" (a
// dynamic button without its value). It matches [ErrInvalidRequest].
type TemplateParamError struct {
	Field string
	// Reason is an English explanation for logs and API details.
	Reason string
	// Want and Got are the expected and given numbers of positional values.
	Want, Got int
	// Missing and Unexpected list named parameters absent or unknown.
	Missing, Unexpected []string
}

func (e *TemplateParamError) Error() string { return "whatsapp: " + e.Field + ": " + e.Reason }

// Unwrap makes the error match [ErrInvalidRequest].
func (e *TemplateParamError) Unwrap() error { return ErrInvalidRequest }

// TemplateValues are what an agent supplies to send a template.
type TemplateValues struct {
	// Positional values for a positional template: the TEXT header's, then
	// the body's. Named values for a named template.
	Positional []string
	Named      map[string]string
	// HeaderMedia is required by IMAGE, VIDEO and DOCUMENT headers,
	// HeaderLocation by LOCATION headers.
	HeaderMedia    *OutgoingMedia
	HeaderLocation *Location
	// Buttons holds values by button index: the {{1}} suffix of a dynamic
	// URL button (required), a COPY_CODE button's code (required), or a
	// QUICK_REPLY button's payload (optional).
	Buttons map[int]string
}

// BuildComponents checks positional or named values against t and returns
// the components to send with it (see [BuildTemplateComponents]).
func BuildComponents(t Template, positional []string, named map[string]string) ([]SendComponent, error) {
	return BuildTemplateComponents(t, TemplateValues{Positional: positional, Named: named})
}

// BuildTemplateComponents checks v against t and returns the components of
// the send payload: a header component for a TEXT header with parameters
// or a media/location header, a body component, and button components for
// dynamic buttons. Text values of named templates carry parameter_name.
// Errors are [*TemplateParamError]: wrong count or names, an empty value,
// a value with a newline, tab or more than four consecutive spaces (which
// WhatsApp refuses), or a missing header or button value.
func BuildTemplateComponents(t Template, v TemplateValues) ([]SendComponent, error) {
	header, body := t.headerText(), t.bodyText()
	var headerParams, bodyParams []SendParameter
	if t.Named() {
		if len(v.Positional) > 0 {
			return nil, &TemplateParamError{Field: "template.parameters", Reason: "template uses named parameters; give them by name", Got: len(v.Positional)}
		}
		names, _ := t.Parameters()
		var missing, unexpected []string
		for _, n := range names {
			if _, ok := v.Named[n]; !ok {
				missing = append(missing, n)
			}
		}
		for n := range v.Named {
			if !slices.Contains(names, n) {
				unexpected = append(unexpected, n)
			}
		}
		sort.Strings(unexpected)
		if len(missing) > 0 || len(unexpected) > 0 {
			var parts []string
			if len(missing) > 0 {
				parts = append(parts, "missing "+strings.Join(missing, ", "))
			}
			if len(unexpected) > 0 {
				parts = append(parts, "unknown "+strings.Join(unexpected, ", "))
			}
			return nil, &TemplateParamError{Field: "template.parameters", Reason: "parameters " + strings.Join(parts, "; "), Missing: missing, Unexpected: unexpected}
		}
		for _, n := range names {
			if err := checkValue(n, v.Named[n]); err != nil {
				return nil, err
			}
		}
		for _, n := range namedParams(header, nil) {
			headerParams = append(headerParams, SendParameter{Type: "text", ParameterName: n, Text: v.Named[n]})
		}
		for _, n := range namedParams(body, nil) {
			bodyParams = append(bodyParams, SendParameter{Type: "text", ParameterName: n, Text: v.Named[n]})
		}
	} else {
		if len(v.Named) > 0 {
			return nil, &TemplateParamError{Field: "template.parameters", Reason: "template uses positional parameters; give them as a list"}
		}
		hn, bn := positionalCount(header), positionalCount(body)
		if len(v.Positional) != hn+bn {
			return nil, &TemplateParamError{Field: "template.parameters",
				Reason: fmt.Sprintf("template takes %d parameters, got %d", hn+bn, len(v.Positional)),
				Want:   hn + bn, Got: len(v.Positional)}
		}
		for i, val := range v.Positional {
			if err := checkValue(strconv.Itoa(i+1), val); err != nil {
				return nil, err
			}
		}
		for _, val := range v.Positional[:hn] {
			headerParams = append(headerParams, SendParameter{Type: "text", Text: val})
		}
		for _, val := range v.Positional[hn:] {
			bodyParams = append(bodyParams, SendParameter{Type: "text", Text: val})
		}
	}

	var out []SendComponent
	if h := t.component(ComponentHeader); h != nil {
		switch f := strings.ToUpper(h.Format); f {
		case "", HeaderText:
			if len(headerParams) > 0 {
				out = append(out, SendComponent{Type: "header", Parameters: headerParams})
			}
		case HeaderImage, HeaderVideo, HeaderDocument:
			m := v.HeaderMedia
			if m == nil || (m.ID == "" && m.Link == "") {
				return nil, &TemplateParamError{Field: "template.header", Reason: "the " + strings.ToLower(f) + " header needs a media id or link"}
			}
			p := SendParameter{Type: strings.ToLower(f)}
			switch f {
			case HeaderImage:
				p.Image = m
			case HeaderVideo:
				p.Video = m
			default:
				p.Document = m
			}
			out = append(out, SendComponent{Type: "header", Parameters: []SendParameter{p}})
		case HeaderLocation:
			if v.HeaderLocation == nil {
				return nil, &TemplateParamError{Field: "template.header", Reason: "the location header needs a location"}
			}
			out = append(out, SendComponent{Type: "header", Parameters: []SendParameter{{Type: "location", Location: v.HeaderLocation}}})
		}
	}
	if len(bodyParams) > 0 {
		out = append(out, SendComponent{Type: "body", Parameters: bodyParams})
	}
	if bc := t.component(ComponentButtons); bc != nil {
		for i, b := range bc.Buttons {
			val, ok := v.Buttons[i]
			idx := strconv.Itoa(i)
			switch strings.ToUpper(b.Type) {
			case ButtonURL:
				if !placeholder.MatchString(b.URL) {
					continue
				}
				if !ok || strings.TrimSpace(val) == "" {
					return nil, &TemplateParamError{Field: "template.buttons", Reason: fmt.Sprintf("URL button %d (%s) needs a value", i, b.Text)}
				}
				out = append(out, SendComponent{Type: "button", SubType: "url", Index: idx, Parameters: []SendParameter{{Type: "text", Text: val}}})
			case ButtonCopyCode:
				if !ok || strings.TrimSpace(val) == "" {
					return nil, &TemplateParamError{Field: "template.buttons", Reason: fmt.Sprintf("copy code button %d needs a code", i)}
				}
				out = append(out, SendComponent{Type: "button", SubType: "copy_code", Index: idx, Parameters: []SendParameter{{Type: "coupon_code", CouponCode: val}}})
			case ButtonQuickReply:
				if ok && val != "" {
					out = append(out, SendComponent{Type: "button", SubType: "quick_reply", Index: idx, Parameters: []SendParameter{{Type: "payload", Payload: val}}})
				}
			}
		}
	}
	return out, nil
}

// checkValue refuses values WhatsApp rejects in text parameters.
func checkValue(name, val string) error {
	switch {
	case strings.TrimSpace(val) == "":
		return &TemplateParamError{Field: "template.parameters", Reason: fmt.Sprintf("parameter %s is empty", name)}
	case strings.ContainsAny(val, "\n\r\t"):
		return &TemplateParamError{Field: "template.parameters", Reason: fmt.Sprintf("parameter %s has a newline or tab", name)}
	case strings.Contains(val, "     "):
		return &TemplateParamError{Field: "template.parameters", Reason: fmt.Sprintf("parameter %s has more than four consecutive spaces", name)}
	}
	return nil
}

// Render returns the preview text of t with the values substituted: the
// TEXT header, the body and the footer, separated by blank lines.
// Placeholders without a value are left as they are, so a preview shows
// what is still missing. Values follow [Template.Parameters]: positional
// ones fill the header's then the body's.
func Render(t Template, positional []string, named map[string]string) string {
	header, body := t.headerText(), t.bodyText()
	var footer string
	if f := t.component(ComponentFooter); f != nil {
		footer = f.Text
	}
	subst := func(text string, offset int) string {
		return placeholder.ReplaceAllStringFunc(text, func(m string) string {
			key := placeholder.FindStringSubmatch(m)[1]
			if t.Named() {
				if v, ok := named[key]; ok {
					return v
				}
				return m
			}
			if n, err := strconv.Atoi(key); err == nil && n >= 1 && offset+n-1 < len(positional) {
				return positional[offset+n-1]
			}
			return m
		})
	}
	hn := 0
	if !t.Named() {
		hn = positionalCount(header)
	}
	var parts []string
	for _, p := range []string{subst(header, 0), subst(body, hn), footer} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "\n\n")
}

// templateFields are the fields requested when listing templates.
const templateFields = "name,status,category,language,components,parameter_format"

// maxTemplatePages stops a paging loop that never ends.
const maxTemplatePages = 1000

type wireTemplatePage struct {
	Data   []Template `json:"data"`
	Paging struct {
		Cursors struct {
			Before string `json:"before"`
			After  string `json:"after"`
		} `json:"cursors"`
		Next string `json:"next"`
	} `json:"paging"`
}

// ListTemplates returns every template of the client's WABA, following
// paging.next until it is absent. A next link on another host than the
// base URL is not followed as is: the after cursor is used on the base URL
// instead, so the token goes nowhere else. ParameterFormat is normalised
// to lowercase ("positional" when absent).
func (c *Client) ListTemplates(ctx context.Context) ([]Template, error) {
	if c.wabaID == "" {
		return nil, fmt.Errorf("whatsapp: list templates: %w: waba id is empty", ErrNotConfigured)
	}
	first := c.endpoint(c.wabaID, "message_templates")
	q := url.Values{"fields": {templateFields}, "limit": {"100"}}
	first.RawQuery = q.Encode()
	next := first.String()
	var all []Template
	seen := map[string]bool{}
	for page := 0; next != ""; page++ {
		if page >= maxTemplatePages || seen[next] {
			return nil, fmt.Errorf("whatsapp: list templates: %w: paging does not end", ErrUnexpectedResponse)
		}
		seen[next] = true
		var p wireTemplatePage
		if err := c.do(ctx, http.MethodGet, next, nil, "", &p); err != nil {
			return nil, fmt.Errorf("whatsapp: list templates (page %d): %w", page+1, err)
		}
		for _, t := range p.Data {
			t.ParameterFormat = strings.ToLower(strings.TrimSpace(t.ParameterFormat))
			if t.ParameterFormat == "" {
				t.ParameterFormat = FormatPositional
			}
			all = append(all, t)
		}
		next = ""
		if p.Paging.Next != "" {
			n, err := c.nextPage(p.Paging.Next, p.Paging.Cursors.After, q)
			if err != nil {
				return nil, fmt.Errorf("whatsapp: list templates (page %d): %w", page+1, err)
			}
			next = n
		}
	}
	return all, nil
}

// nextPage returns the URL of the next template page: Graph's next link
// without access_token when it is on the base URL's host, else the list
// URL with the after cursor.
func (c *Client) nextPage(next, after string, q url.Values) (string, error) {
	u, err := url.Parse(next)
	if err == nil && u.Scheme == c.base.Scheme && u.Host == c.base.Host {
		nq := u.Query()
		nq.Del("access_token")
		u.RawQuery = nq.Encode()
		u.User = nil
		return u.String(), nil
	}
	if after == "" {
		return "", fmt.Errorf("%w: next page link on another host and no after cursor", ErrUnexpectedResponse)
	}
	fallback := c.endpoint(c.wabaID, "message_templates")
	aq := url.Values{}
	for k, vs := range q {
		aq[k] = vs
	}
	aq.Set("after", after)
	fallback.RawQuery = aq.Encode()
	return fallback.String(), nil
}
