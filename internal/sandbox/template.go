package sandbox

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Template is a message template in Meta's definition shape (UPPERCASE component types).
type Template struct {
	ID               string              `json:"id"`
	Name             string              `json:"name"`
	Language         string              `json:"language"`
	Status           string              `json:"status"`   // APPROVED, PENDING, REJECTED, PAUSED, DISABLED, ...
	Category         string              `json:"category"` // MARKETING, UTILITY, AUTHENTICATION
	ParameterFormat  string              `json:"parameter_format,omitempty"`
	Components       []TemplateComponent `json:"components"`
	RejectedReason   string              `json:"rejected_reason,omitempty"`
	PreviousCategory string              `json:"previous_category,omitempty"`
	QualityScore     *TemplateQuality    `json:"quality_score,omitempty"`
}

// TemplateComponent is a HEADER, BODY, FOOTER or BUTTONS component.
type TemplateComponent struct {
	Type    string           `json:"type"`
	Format  string           `json:"format,omitempty"` // HEADER: TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION
	Text    string           `json:"text,omitempty"`
	Buttons []TemplateButton `json:"buttons,omitempty"`
	Example map[string]any   `json:"example,omitempty"`
}

// TemplateButton is one button of a BUTTONS component.
type TemplateButton struct {
	Type        string   `json:"type"` // QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE, ...
	Text        string   `json:"text"`
	URL         string   `json:"url,omitempty"`
	PhoneNumber string   `json:"phone_number,omitempty"`
	Example     []string `json:"example,omitempty"`
}

// TemplateQuality is Meta's quality_score object.
type TemplateQuality struct {
	Score string `json:"score"`
}

// DefaultTemplates is the sandbox's initial template set, in pt_BR: five APPROVED (positional
// body, NAMED body, TEXT header with footer and quick replies, IMAGE header, no parameters), one
// PENDING and one REJECTED.
func DefaultTemplates() []Template {
	return []Template{
		{
			Name: "boas_vindas", Language: "pt_BR", Status: "APPROVED", Category: "UTILITY", ParameterFormat: "POSITIONAL",
			Components: []TemplateComponent{
				{Type: "BODY", Text: "Olá {{1}}! Aqui é o atendimento. Como podemos ajudar você hoje?",
					Example: map[string]any{"body_text": [][]string{{"Maria"}}}},
			},
		},
		{
			Name: "retomar_atendimento", Language: "pt_BR", Status: "APPROVED", Category: "UTILITY", ParameterFormat: "NAMED",
			Components: []TemplateComponent{
				{Type: "BODY", Text: "Oi {{first_name}}, tudo bem? Podemos continuar o seu atendimento por aqui?",
					Example: map[string]any{"body_text_named_params": []map[string]string{{"param_name": "first_name", "example": "Maria"}}}},
				{Type: "BUTTONS", Buttons: []TemplateButton{{Type: "QUICK_REPLY", Text: "Sim, continuar"}, {Type: "QUICK_REPLY", Text: "Não, obrigado"}}},
			},
		},
		{
			Name: "atualizacao_pedido", Language: "pt_BR", Status: "APPROVED", Category: "UTILITY", ParameterFormat: "POSITIONAL",
			Components: []TemplateComponent{
				{Type: "HEADER", Format: "TEXT", Text: "Pedido {{1}}", Example: map[string]any{"header_text": []string{"#4821"}}},
				{Type: "BODY", Text: "Olá {{1}}, o seu pedido foi {{2}}. Previsão de entrega: {{3}}.",
					Example: map[string]any{"body_text": [][]string{{"Maria", "enviado", "28/11"}}}},
				{Type: "FOOTER", Text: "Responda SAIR para não receber mais avisos"},
				{Type: "BUTTONS", Buttons: []TemplateButton{{Type: "QUICK_REPLY", Text: "Falar com atendente"}, {Type: "QUICK_REPLY", Text: "SAIR"}}},
			},
		},
		{
			Name: "novidades_loja", Language: "pt_BR", Status: "APPROVED", Category: "MARKETING", ParameterFormat: "POSITIONAL",
			Components: []TemplateComponent{
				{Type: "HEADER", Format: "IMAGE", Example: map[string]any{"header_handle": []string{"https://scontent.whatsapp.net/v/t61.29466-34/sample.jpg"}}},
				{Type: "BODY", Text: "{{1}}, chegaram novidades na loja! Confira antes que acabem.",
					Example: map[string]any{"body_text": [][]string{{"Maria"}}}},
				{Type: "BUTTONS", Buttons: []TemplateButton{{Type: "URL", Text: "Ver novidades", URL: "https://example.com/novidades"}}},
			},
		},
		{
			Name: "pesquisa_satisfacao", Language: "pt_BR", Status: "APPROVED", Category: "UTILITY", ParameterFormat: "POSITIONAL",
			Components: []TemplateComponent{
				{Type: "BODY", Text: "Seu atendimento foi encerrado. Como você avalia a nossa conversa?"},
				{Type: "BUTTONS", Buttons: []TemplateButton{{Type: "QUICK_REPLY", Text: "Ótimo"}, {Type: "QUICK_REPLY", Text: "Regular"}, {Type: "QUICK_REPLY", Text: "Ruim"}}},
			},
		},
		{
			Name: "oferta_relampago", Language: "pt_BR", Status: "PENDING", Category: "MARKETING", ParameterFormat: "POSITIONAL",
			Components: []TemplateComponent{
				{Type: "BODY", Text: "{{1}}, só hoje: {{2}} de desconto!", Example: map[string]any{"body_text": [][]string{{"Maria", "20%"}}}},
			},
		},
		{
			Name: "cupom_desconto", Language: "pt_BR", Status: "REJECTED", Category: "MARKETING", ParameterFormat: "POSITIONAL",
			RejectedReason: "INVALID_FORMAT",
			Components: []TemplateComponent{
				{Type: "BODY", Text: "{{1}}"},
			},
		},
	}
}

var templateStatuses = map[string]bool{
	"APPROVED": true, "PENDING": true, "REJECTED": true, "PAUSED": true, "DISABLED": true, "IN_APPEAL": true,
	"PENDING_DELETION": true, "DELETED": true, "ARCHIVED": true, "LIMIT_EXCEEDED": true,
}

var placeholderRE = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\s*\}\}`)

// placeholders returns the distinct variables of text ("1", "2" or "first_name"), positional ones
// in numeric order, named ones in order of appearance.
func placeholders(text string) []string {
	var out []string
	for _, m := range placeholderRE.FindAllStringSubmatch(text, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	if len(out) > 0 && digitsOnly(out[0]) {
		slices.SortFunc(out, func(a, b string) int {
			x, _ := strconv.Atoi(a)
			y, _ := strconv.Atoi(b)
			return x - y
		})
	}
	return out
}

// fill replaces the variables of text with values (unknown ones stay as they are).
func fill(text string, values map[string]string) string {
	return placeholderRE.ReplaceAllStringFunc(text, func(m string) string {
		name := placeholderRE.FindStringSubmatch(m)[1]
		if v, ok := values[name]; ok {
			return v
		}
		return m
	})
}

// normalizeTemplate upper-cases the enumerations and checks a template definition.
func normalizeTemplate(t *Template) error {
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" || t.Language == "" {
		return errors.New("name and language are required")
	}
	t.Status = strings.ToUpper(t.Status)
	if t.Status == "" {
		t.Status = "APPROVED"
	}
	if !templateStatuses[t.Status] {
		return fmt.Errorf("unknown status %q", t.Status)
	}
	t.Category = strings.ToUpper(t.Category)
	if t.Category == "" {
		t.Category = "UTILITY"
	}
	t.ParameterFormat = strings.ToUpper(t.ParameterFormat)
	if t.ParameterFormat == "" {
		t.ParameterFormat = "POSITIONAL"
	}
	if t.ParameterFormat != "POSITIONAL" && t.ParameterFormat != "NAMED" {
		return fmt.Errorf("parameter_format must be POSITIONAL or NAMED")
	}
	hasBody := false
	for i := range t.Components {
		c := &t.Components[i]
		c.Type = strings.ToUpper(c.Type)
		c.Format = strings.ToUpper(c.Format)
		for j := range c.Buttons {
			c.Buttons[j].Type = strings.ToUpper(c.Buttons[j].Type)
		}
		switch c.Type {
		case "BODY":
			hasBody = true
		case "HEADER":
			if c.Format == "" {
				c.Format = "TEXT"
			}
		case "FOOTER", "BUTTONS":
		default:
			return fmt.Errorf("unknown component type %q", c.Type)
		}
		for _, p := range placeholders(c.Text) {
			if digitsOnly(p) != (t.ParameterFormat == "POSITIONAL") {
				return fmt.Errorf("variable {{%s}} does not fit parameter_format %s", p, t.ParameterFormat)
			}
		}
	}
	if !hasBody {
		return errors.New("a BODY component is required")
	}
	return nil
}

// putTemplateLocked adds t or replaces the template with its name and language. It returns the
// stored copy and the previous status ("" when new).
func (s *Sandbox) putTemplateLocked(t Template) (prev string, err error) {
	if err := normalizeTemplate(&t); err != nil {
		return "", err
	}
	for i, old := range s.templates {
		if old.Name == t.Name && old.Language == t.Language {
			if t.ID == "" {
				t.ID = old.ID
			}
			s.templates[i] = &t
			return old.Status, nil
		}
	}
	if t.ID == "" {
		t.ID = randomDigits(15)
	}
	s.templates = append(s.templates, &t)
	return "", nil
}

// templateLocked finds a template by name and language.
func (s *Sandbox) templateLocked(name, lang string) *Template {
	for _, t := range s.templates {
		if t.Name == name && t.Language == lang {
			return t
		}
	}
	return nil
}

// handleTemplateList imitates GET /{version}/{waba_id}/message_templates with Meta's filters
// (name, status, category, language), fields selection and cursor paging.
func (s *Sandbox) handleTemplateList(w http.ResponseWriter, r *http.Request) {
	if e := s.checkBearer(r); e != nil {
		writeGraphError(w, e)
		return
	}
	if e := checkVersion(r); e != nil {
		writeGraphError(w, e)
		return
	}
	id := r.PathValue("id")
	if id != s.wabaID {
		writeGraphError(w, methodError(r.Method, id))
		return
	}
	if f := s.takeFailure("templates", "", "", false); f != nil {
		writeFailure(r.Context(), w, f)
		return
	}
	q := r.URL.Query()
	limit := 25
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			writeGraphError(w, newGraphError(100, "limit must be a positive integer"))
			return
		}
		limit = min(n, 1000)
	}
	start, stop := 0, -1
	if c := q.Get("after"); c != "" {
		n, ok := decodeCursor(c)
		if !ok {
			writeGraphError(w, newGraphError(100, "Invalid cursor: "+c))
			return
		}
		start = n + 1
	} else if c := q.Get("before"); c != "" {
		n, ok := decodeCursor(c)
		if !ok {
			writeGraphError(w, newGraphError(100, "Invalid cursor: "+c))
			return
		}
		start, stop = max(0, n-limit), n
	}

	s.mu.Lock()
	var all []Template
	for _, t := range s.templates {
		if (q.Get("name") == "" || strings.Contains(t.Name, q.Get("name"))) &&
			(q.Get("status") == "" || strings.EqualFold(t.Status, q.Get("status"))) &&
			(q.Get("category") == "" || strings.EqualFold(t.Category, q.Get("category"))) &&
			(q.Get("language") == "" || t.Language == q.Get("language")) {
			all = append(all, *t)
		}
	}
	s.mu.Unlock()

	var fields []string
	if f := q.Get("fields"); f != "" {
		for _, name := range strings.Split(f, ",") {
			if name = strings.TrimSpace(name); name != "" {
				fields = append(fields, name)
			}
		}
	}
	data := []any{}
	end := min(len(all), start+limit)
	if stop >= 0 {
		end = min(end, stop)
	}
	for i := start; i < end; i++ {
		data = append(data, templateFields(all[i], fields))
	}
	resp := object{{"data", data}}
	if start < end {
		paging := object{{"cursors", object{{"before", encodeCursor(start)}, {"after", encodeCursor(end - 1)}}}}
		base := s.baseURL(r) + "/graph/" + r.PathValue("version") + "/" + id + "/message_templates"
		if start > 0 {
			pq := pagingQuery(q, "before", encodeCursor(start))
			paging = append(paging, member{"previous", base + "?" + pq})
		}
		if end < len(all) {
			nq := pagingQuery(q, "after", encodeCursor(end-1))
			paging = append(paging, member{"next", base + "?" + nq})
		}
		resp = append(resp, member{"paging", paging})
	}
	writeGraphJSON(w, http.StatusOK, resp)
}

// pagingQuery copies the list query with one cursor set and the other removed.
func pagingQuery(q url.Values, key, cursor string) string {
	c := url.Values{}
	for k, v := range q {
		if k != "after" && k != "before" {
			c[k] = v
		}
	}
	c.Set("limit", q.Get("limit"))
	if c.Get("limit") == "" {
		c.Del("limit")
	}
	c.Set(key, cursor)
	return c.Encode()
}

// encodeCursor makes an opaque Graph-like cursor ("MAZDZD"-style base64) for a list index.
func encodeCursor(i int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("sbx:" + strconv.Itoa(i)))
}

func decodeCursor(c string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !bytes.HasPrefix(b, []byte("sbx:")) {
		return 0, false
	}
	n, err := strconv.Atoi(string(b[4:]))
	return n, err == nil && n >= 0
}

// templateFields renders t as a Graph item keeping only the requested fields (and id), as Graph does.
func templateFields(t Template, fields []string) any {
	b, _ := json.Marshal(t)
	var m map[string]json.RawMessage
	_ = json.Unmarshal(b, &m)
	order := []string{"name", "parameter_format", "components", "language", "status", "category", "previous_category", "rejected_reason", "quality_score", "id"}
	var o object
	for _, k := range order {
		v, ok := m[k]
		if !ok || (len(fields) > 0 && k != "id" && !slices.Contains(fields, k)) {
			continue
		}
		o = append(o, member{k, v})
	}
	return o
}

// handleTemplateDump lists every template in Meta's shape (no paging), for tests and the page.
func (s *Sandbox) handleTemplateDump(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	items := make([]Template, 0, len(s.templates))
	for _, t := range s.templates {
		items = append(items, *t)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

// handleTemplatePut adds or replaces templates (one object, an array, or {"data": [...]}). A status
// change of an existing template posts a message_template_status_update webhook, as Meta does.
func (s *Sandbox) handleTemplatePut(w http.ResponseWriter, r *http.Request) {
	var raw json.RawMessage
	if err := decodeJSON(w, r, maxJSONBody, &raw); err != nil {
		writeAPIError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	var list []Template
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) > 0 && raw[0] == '[':
		if err := json.Unmarshal(raw, &list); err != nil {
			writeAPIError(w, http.StatusBadRequest, "invalid_request", err.Error())
			return
		}
	default:
		var wrap struct {
			Data []Template `json:"data"`
		}
		if err := json.Unmarshal(raw, &wrap); err == nil && wrap.Data != nil {
			list = wrap.Data
		} else {
			var t Template
			if err := json.Unmarshal(raw, &t); err != nil {
				writeAPIError(w, http.StatusBadRequest, "invalid_request", err.Error())
				return
			}
			list = []Template{t}
		}
	}
	type change struct {
		t    Template
		prev string
	}
	var changes []change
	s.mu.Lock()
	for i, t := range list {
		if err := normalizeTemplate(&t); err != nil {
			s.mu.Unlock()
			writeAPIError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("template %d (%s): %v", i, t.Name, err))
			return
		}
		list[i] = t
	}
	stored := make([]Template, 0, len(list))
	for _, t := range list {
		prev, _ := s.putTemplateLocked(t)
		cur := *s.templateLocked(t.Name, t.Language)
		stored = append(stored, cur)
		if prev != "" && prev != cur.Status {
			changes = append(changes, change{cur, prev})
		}
	}
	s.mu.Unlock()
	for _, c := range changes {
		s.postTemplateStatus(c.t)
	}
	writeJSON(w, http.StatusCreated, map[string]any{"items": stored})
}

// postTemplateStatus queues a message_template_status_update webhook for t's current status.
func (s *Sandbox) postTemplateStatus(t Template) {
	id, _ := strconv.ParseInt(t.ID, 10, 64)
	reason := "NONE"
	if t.RejectedReason != "" {
		reason = t.RejectedReason
	}
	value := object{
		{"event", t.Status},
		{"message_template_id", id},
		{"message_template_name", t.Name},
		{"message_template_language", t.Language},
		{"reason", reason},
		{"message_template_category", t.Category},
	}
	body := object{
		{"object", "whatsapp_business_account"},
		{"entry", []any{object{
			{"id", s.wabaID},
			{"time", s.now().Unix()},
			{"changes", []any{object{{"value", value}, {"field", "message_template_status_update"}}}},
		}}},
	}
	d, err := s.newDelivery("template_status", t.Name, body)
	if err != nil {
		s.log.Error("sandbox template status webhook", "error", err)
		return
	}
	s.enqueue(d)
}
