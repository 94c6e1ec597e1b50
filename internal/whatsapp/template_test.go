package whatsapp_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"papo/internal/whatsapp"
)

var (
	tplPositional = whatsapp.Template{
		Name: "pedido_enviado", Language: "pt_BR", Status: "APPROVED", Category: "UTILITY", ParameterFormat: "positional",
		Components: []whatsapp.Component{
			{Type: "HEADER", Format: "TEXT", Text: "Pedido {{1}}"},
			{Type: "BODY", Text: "Olá {{1}}, seu pedido saiu para entrega e chega em {{2}}. Obrigado, {{1}}!"},
			{Type: "FOOTER", Text: "Equipe papo"},
		},
	}
	tplNamed = whatsapp.Template{
		Name: "pedido_enviado_v2", Language: "pt_BR", Status: "APPROVED", Category: "UTILITY", ParameterFormat: "named",
		Components: []whatsapp.Component{
			{Type: "HEADER", Format: "TEXT", Text: "Pedido {{order_id}}"},
			{Type: "BODY", Text: "Olá {{first_name}}, o pedido {{order_id}} chega em {{eta}}."},
		},
	}
	tplPlain = whatsapp.Template{
		Name: "hello_world", Language: "en_US", Status: "APPROVED", ParameterFormat: "positional",
		Components: []whatsapp.Component{{Type: "BODY", Text: "Hello World"}},
	}
	tplImage = whatsapp.Template{
		Name: "promo_imagem", Language: "pt_BR", Status: "APPROVED", ParameterFormat: "positional",
		Components: []whatsapp.Component{
			{Type: "HEADER", Format: "IMAGE"},
			{Type: "BODY", Text: "Oferta para {{1}}"},
			{Type: "BUTTONS", Buttons: []whatsapp.TemplateButton{
				{Type: "QUICK_REPLY", Text: "Quero"},
				{Type: "URL", Text: "Ver", URL: "https://papo.example/p/{{1}}"},
				{Type: "PHONE_NUMBER", Text: "Ligar", PhoneNumber: "+551130000000"},
			}},
		},
	}
)

// TestTemplateParameters: F15 — parameter counting for positional and
// named templates.
func TestTemplateParameters(t *testing.T) {
	tests := []struct {
		name  string
		tpl   whatsapp.Template
		names []string
		count int
	}{
		{"positional header and body, repeated placeholder", tplPositional, nil, 3},
		{"named, shared name counted once", tplNamed, []string{"order_id", "first_name", "eta"}, 3},
		{"no parameters", tplPlain, nil, 0},
		{"media header", tplImage, nil, 1},
		{"lowercase component types", whatsapp.Template{Components: []whatsapp.Component{{Type: "body", Text: "{{1}} {{2}}"}}}, nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			names, count := tt.tpl.Parameters()
			if !reflect.DeepEqual(names, tt.names) || count != tt.count {
				t.Errorf("Parameters = %v, %d; want %v, %d", names, count, tt.names, tt.count)
			}
		})
	}
}

func compsJSON(t *testing.T, c []whatsapp.SendComponent) string {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestBuildComponents: F15/F26 — values are checked against the template
// and turned into send components.
func TestBuildComponents(t *testing.T) {
	tests := []struct {
		name   string
		tpl    whatsapp.Template
		values whatsapp.TemplateValues
		want   string // JSON of the components, when no error
		field  string // TemplateParamError.Field, when an error
	}{
		{"positional", tplPositional, whatsapp.TemplateValues{Positional: []string{"1042", "Ana", "2 dias"}},
			`[{"type":"header","parameters":[{"type":"text","text":"1042"}]},{"type":"body","parameters":[{"type":"text","text":"Ana"},{"type":"text","text":"2 dias"}]}]`, ""},
		{"named", tplNamed, whatsapp.TemplateValues{Named: map[string]string{"first_name": "Ana", "order_id": "1042", "eta": "amanhã"}},
			`[{"type":"header","parameters":[{"type":"text","parameter_name":"order_id","text":"1042"}]},{"type":"body","parameters":[{"type":"text","parameter_name":"first_name","text":"Ana"},{"type":"text","parameter_name":"order_id","text":"1042"},{"type":"text","parameter_name":"eta","text":"amanhã"}]}]`, ""},
		{"no parameters", tplPlain, whatsapp.TemplateValues{}, `null`, ""},
		{"media header and dynamic button", tplImage, whatsapp.TemplateValues{Positional: []string{"Ana"},
			HeaderMedia: &whatsapp.OutgoingMedia{Link: "https://papo.example/promo.jpg"}, Buttons: map[int]string{0: "QUERO", 1: "abc"}},
			`[{"type":"header","parameters":[{"type":"image","image":{"link":"https://papo.example/promo.jpg"}}]},{"type":"body","parameters":[{"type":"text","text":"Ana"}]},{"type":"button","sub_type":"quick_reply","index":"0","parameters":[{"type":"payload","payload":"QUERO"}]},{"type":"button","sub_type":"url","index":"1","parameters":[{"type":"text","text":"abc"}]}]`, ""},
		{"too few", tplPositional, whatsapp.TemplateValues{Positional: []string{"1042", "Ana"}}, "", "template.parameters"},
		{"too many", tplPlain, whatsapp.TemplateValues{Positional: []string{"x"}}, "", "template.parameters"},
		{"named missing", tplNamed, whatsapp.TemplateValues{Named: map[string]string{"first_name": "Ana", "order_id": "1"}}, "", "template.parameters"},
		{"named unknown", tplNamed, whatsapp.TemplateValues{Named: map[string]string{"first_name": "Ana", "order_id": "1", "eta": "x", "extra": "y"}}, "", "template.parameters"},
		{"positional for named", tplNamed, whatsapp.TemplateValues{Positional: []string{"a", "b", "c"}}, "", "template.parameters"},
		{"named for positional", tplPositional, whatsapp.TemplateValues{Named: map[string]string{"1": "a"}}, "", "template.parameters"},
		{"empty value", tplPositional, whatsapp.TemplateValues{Positional: []string{"1042", " ", "x"}}, "", "template.parameters"},
		{"newline in value", tplPositional, whatsapp.TemplateValues{Positional: []string{"1042", "Ana\nMaria", "x"}}, "", "template.parameters"},
		{"five spaces in value", tplPositional, whatsapp.TemplateValues{Positional: []string{"1042", "Ana     Maria", "x"}}, "", "template.parameters"},
		{"media header missing", tplImage, whatsapp.TemplateValues{Positional: []string{"Ana"}, Buttons: map[int]string{1: "abc"}}, "", "template.header"},
		{"dynamic url button missing", tplImage, whatsapp.TemplateValues{Positional: []string{"Ana"}, HeaderMedia: &whatsapp.OutgoingMedia{ID: "m1"}}, "", "template.buttons"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := whatsapp.BuildTemplateComponents(tt.tpl, tt.values)
			if tt.field != "" {
				pe, ok := errors.AsType[*whatsapp.TemplateParamError](err)
				if !ok {
					t.Fatalf("err = %v, want *TemplateParamError", err)
				}
				eq(t, "Field", pe.Field, tt.field)
				if !errors.Is(err, whatsapp.ErrInvalidRequest) {
					t.Error("TemplateParamError must match ErrInvalidRequest")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "components", compsJSON(t, got), tt.want)
		})
	}

	// The short form reports counts and names.
	_, err := whatsapp.BuildComponents(tplPositional, []string{"1"}, nil)
	if pe, ok := errors.AsType[*whatsapp.TemplateParamError](err); !ok || pe.Want != 3 || pe.Got != 1 {
		t.Errorf("count error = %#v", err)
	}
	_, err = whatsapp.BuildComponents(tplNamed, nil, map[string]string{"first_name": "Ana", "zzz": "1"})
	pe, ok := errors.AsType[*whatsapp.TemplateParamError](err)
	if !ok || !reflect.DeepEqual(pe.Missing, []string{"order_id", "eta"}) || !reflect.DeepEqual(pe.Unexpected, []string{"zzz"}) {
		t.Errorf("names error = %#v", err)
	}
	if err.Error() != "whatsapp: template.parameters: parameters missing order_id, eta; unknown zzz" {
		t.Errorf("message = %q", err)
	}
}

// TestRender: F15 — preview text with parameters substituted.
func TestRender(t *testing.T) {
	tests := []struct {
		name       string
		tpl        whatsapp.Template
		positional []string
		named      map[string]string
		want       string
	}{
		{"positional", tplPositional, []string{"1042", "Ana", "2 dias"}, nil,
			"Pedido 1042\n\nOlá Ana, seu pedido saiu para entrega e chega em 2 dias. Obrigado, Ana!\n\nEquipe papo"},
		{"positional missing values keep placeholders", tplPositional, []string{"1042"}, nil,
			"Pedido 1042\n\nOlá {{1}}, seu pedido saiu para entrega e chega em {{2}}. Obrigado, {{1}}!\n\nEquipe papo"},
		{"named", tplNamed, nil, map[string]string{"first_name": "Ana", "order_id": "1042", "eta": "amanhã"},
			"Pedido 1042\n\nOlá Ana, o pedido 1042 chega em amanhã."},
		{"named partial", tplNamed, nil, map[string]string{"first_name": "Ana"},
			"Pedido {{order_id}}\n\nOlá Ana, o pedido {{order_id}} chega em {{eta}}."},
		{"plain", tplPlain, nil, nil, "Hello World"},
		{"media header is not text", tplImage, []string{"Ana"}, nil, "Oferta para Ana"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eq(t, "Render", whatsapp.Render(tt.tpl, tt.positional, tt.named), tt.want)
		})
	}
}

// TestTemplateJSON: templates round-trip through JSON as papo's API shows
// them (snake_case, lowercase parameter_format).
func TestTemplateJSON(t *testing.T) {
	b, err := json.Marshal(tplNamed)
	if err != nil {
		t.Fatal(err)
	}
	var back whatsapp.Template
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, tplNamed) {
		t.Errorf("round trip = %+v", back)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	if m["parameter_format"] != "named" || m["name"] != "pedido_enviado_v2" {
		t.Errorf("json = %s", b)
	}
}
