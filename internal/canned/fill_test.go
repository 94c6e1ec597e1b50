package canned

import "testing"

// TestFill_F14: known placeholders are filled (spaces inside the braces
// allowed, the same one several times, an empty value as empty); unknown
// ones and broken braces stay as they are.
func TestFill_F14(t *testing.T) {
	values := map[string]string{"contact.name": "Maria", "agent.name": "Bruno", "ticket.number": ""}
	for body, want := range map[string]string{
		"Olá {{contact.name}}, sou {{agent.name}}":       "Olá Maria, sou Bruno",
		"{{ contact.name }} / {{contact.name}}":          "Maria / Maria",
		"Chamado {{ticket.number}}.":                     "Chamado .",
		"{{contact.email}} {{foo}} {contact.name} {{x.y": "{{contact.email}} {{foo}} {contact.name} {{x.y",
		"sem nada":         "sem nada",
		"{{CONTACT.NAME}}": "{{CONTACT.NAME}}",
	} {
		if got := fill(body, values); got != want {
			t.Errorf("fill(%q) = %q, want %q", body, got, want)
		}
	}
}
