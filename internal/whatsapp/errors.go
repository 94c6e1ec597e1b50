package whatsapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// APIError is an error answered by the Graph API: any non-2xx response, or
// a 2xx response whose body is an error object. Code is error.code, the
// value to act on (see [Reason], [APIError.Retryable]); HTTPStatus varies
// between integrations for the same code and should not drive decisions.
// A response without a readable error object (an HTML 502 from a proxy)
// has Code 0 and the HTTP status text as Message.
type APIError struct {
	HTTPStatus int    `json:"http_status"`
	Code       int    `json:"code"`
	Subcode    int    `json:"subcode,omitempty"`
	Type       string `json:"type,omitempty"`
	Message    string `json:"message,omitempty"`
	// Details is error.error_data.details, the most specific explanation.
	Details   string `json:"details,omitempty"`
	FBTraceID string `json:"fbtrace_id,omitempty"`
	// Transient is Graph's is_transient hint; consulted only for codes this
	// package does not know.
	Transient bool `json:"transient,omitempty"`
}

// Error formats the error without any credential.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("graph api error")
	if e.Code != 0 {
		fmt.Fprintf(&b, " %d", e.Code)
		if e.Subcode != 0 {
			fmt.Fprintf(&b, "/%d", e.Subcode)
		}
	}
	fmt.Fprintf(&b, " (HTTP %d", e.HTTPStatus)
	if e.Type != "" {
		b.WriteString(", " + e.Type)
	}
	b.WriteString(")")
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Details != "" && e.Details != e.Message {
		b.WriteString(": " + e.Details)
	}
	if e.FBTraceID != "" {
		b.WriteString(" [fbtrace_id " + e.FBTraceID + "]")
	}
	return b.String()
}

// CodeString returns Code as papo's API spells WhatsApp codes ("131047"),
// or "http_<status>" when the response carried no code.
func (e *APIError) CodeString() string {
	if e.Code == 0 {
		return "http_" + strconv.Itoa(e.HTTPStatus)
	}
	return strconv.Itoa(e.Code)
}

// Retryable reports whether sending the same request again later may
// succeed: throttling (130429, 131056, 80007, 4), transient failures (1, 2,
// 131000, 131016), maintenance (131057), and, for codes not in the table,
// HTTP 429 and 5xx answers or Graph's is_transient flag. Permanent errors
// (131047, 131026, 190, 100, 368, 132xxx, ...) and errors that may only be
// retried much later (131049, 131048) are not retryable.
func (e *APIError) Retryable() bool {
	if info, ok := codeTable[e.Code]; ok && e.Code != 0 {
		return info.retry == retryYes
	}
	return e.HTTPStatus == http.StatusTooManyRequests || e.HTTPStatus >= 500 || e.Transient
}

// Backoff returns how long to wait before retry number attempt (1 for the
// first retry) of a request that failed with e, or 0 when e is not
// retryable. See [BackoffHint].
func (e *APIError) Backoff(attempt int) time.Duration {
	if !e.Retryable() {
		return 0
	}
	if _, ok := codeTable[e.Code]; ok && e.Code != 0 {
		return BackoffHint(e.Code, attempt)
	}
	return exponential(2*time.Second, 2, attempt, 10*time.Minute)
}

// Reason returns the agent-facing sentence for e in lang ("pt-BR", the
// default, or "en"). See [Reason].
func (e *APIError) Reason(lang string) string { return Reason(e.CodeString(), lang) }

// Retryable reports whether err, returned by a [Client] method, is worth
// retrying: a retryable [*APIError], a timeout or a network failure. A send
// that timed out may nevertheless have been accepted by WhatsApp, so a
// retry can duplicate it; status webhooks are the way to notice. A
// cancelled context is not retryable.
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	if ae, ok := errors.AsType[*APIError](err); ok {
		return ae.Retryable()
	}
	if errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	if _, ok := errors.AsType[*url.Error](err); ok {
		return true
	}
	if _, ok := errors.AsType[net.Error](err); ok {
		return true
	}
	return false
}

// BackoffHint suggests the delay before retry number attempt (1 for the
// first retry) after error code, without jitter (callers add their own).
// It is 0 for codes that must not be retried now.
//
//   - 131056 (pair rate limit): 4^attempt seconds, as Meta suggests, up to
//     one hour — keep it per recipient;
//   - 130429 (throughput cap): 1 s doubling, up to 5 minutes;
//   - 131057 (number in maintenance, about a minute): 20 s per attempt, up
//     to 2 minutes;
//   - 80007, 4 (account or app call limits): 1 minute doubling, up to an
//     hour;
//   - 131000, 1, 2, 131016 (transient): 2 s doubling, up to 10 minutes.
func BackoffHint(code, attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	switch code {
	case 131056:
		return exponential(4*time.Second, 4, attempt, time.Hour)
	case 130429:
		return exponential(time.Second, 2, attempt, 5*time.Minute)
	case 131057:
		return min(time.Duration(attempt)*20*time.Second, 2*time.Minute)
	case 80007, 4:
		return exponential(time.Minute, 2, attempt, time.Hour)
	}
	if info, ok := codeTable[code]; ok && info.retry == retryYes {
		return exponential(2*time.Second, 2, attempt, 10*time.Minute)
	}
	return 0
}

// exponential returns first·factor^(attempt-1), capped.
func exponential(first time.Duration, factor, attempt int, limit time.Duration) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := first
	for i := 1; i < attempt; i++ {
		d *= time.Duration(factor)
		if d >= limit {
			return limit
		}
	}
	return min(d, limit)
}

// Reason returns a clear sentence for an agent about WhatsApp error code
// (as a decimal string, e.g. "131047"), in lang: "en" (or any "en-…"), else
// Brazilian Portuguese. Unknown codes get a generic sentence that names the
// code.
func Reason(code, lang string) string {
	l := strings.ToLower(strings.TrimSpace(lang))
	en := l == "en" || strings.HasPrefix(l, "en-") || strings.HasPrefix(l, "en_")
	n, err := strconv.Atoi(strings.TrimSpace(code))
	if err == nil {
		if info, ok := codeTable[n]; ok && n != 0 {
			if en {
				return info.en
			}
			return info.pt
		}
	}
	code = strings.TrimSpace(code)
	if code == "" {
		if en {
			return "WhatsApp reported an unknown error."
		}
		return "O WhatsApp informou um erro desconhecido."
	}
	if en {
		return fmt.Sprintf("WhatsApp reported an error (code %s).", code)
	}
	return fmt.Sprintf("O WhatsApp informou um erro (código %s).", code)
}

// Retry classes of the code table.
const (
	retryNo    = iota // permanent: fix something first
	retryYes          // transient or throttling: retry with backoff
	retryLater        // not now; maybe hours or days later
)

type codeInfo struct {
	retry int
	pt    string
	en    string
}

// codeTable is the one place that knows WhatsApp error codes: whether to
// retry, and what to tell an agent (fact sheet §6 and §10).
var codeTable = map[int]codeInfo{
	131047: {retryNo,
		"A janela de 24 horas está fechada: o cliente não escreve há mais de 24 horas. Envie um modelo de mensagem aprovado.",
		"The 24-hour window is closed: the customer has not written for more than 24 hours. Send an approved message template."},
	131026: {retryNo,
		"Mensagem não entregue: o número pode não ter WhatsApp, usar uma versão antiga do aplicativo ou ter bloqueado esta empresa.",
		"Message undeliverable: the number may not be on WhatsApp, may use an old app version, or may have blocked this business."},
	131049: {retryLater,
		"O WhatsApp reteve esta mensagem de marketing para preservar a experiência do cliente. Não reenvie agora; tente daqui a algumas horas ou dias.",
		"WhatsApp withheld this marketing message to protect the customer experience. Do not resend now; try again in hours or days."},
	131050: {retryNo,
		"O cliente optou por não receber mensagens de marketing desta empresa.",
		"The customer opted out of marketing messages from this business."},
	131051: {retryNo,
		"O cliente enviou um tipo de mensagem que o WhatsApp não permite receber pela API.",
		"The customer sent a message type that WhatsApp does not deliver through the API."},
	131052: {retryNo,
		"Não foi possível baixar a mídia enviada pelo cliente. Peça que ele a envie novamente.",
		"The customer's media could not be downloaded. Ask them to send it again."},
	131053: {retryNo,
		"Falha no envio da mídia: verifique o tipo, o tamanho e o link do arquivo.",
		"Media upload failed: check the file's type, size and link."},
	131000: {retryYes,
		"O WhatsApp teve uma falha temporária. A mensagem será reenviada automaticamente.",
		"WhatsApp had a temporary failure. The message will be retried automatically."},
	130429: {retryYes,
		"Limite de envio do número atingido. A mensagem ficou na fila e será enviada em instantes.",
		"The number's sending rate limit was reached. The message is queued and will be sent shortly."},
	131056: {retryYes,
		"Muitas mensagens para este cliente em pouco tempo. O envio será repetido mais devagar.",
		"Too many messages to this customer in a short time. Sending will be retried more slowly."},
	131048: {retryLater,
		"Envio limitado pelo WhatsApp por baixa qualidade (denúncias de spam). Avise o administrador.",
		"Sending was limited by WhatsApp for low quality (spam reports). Alert an administrator."},
	80007: {retryYes,
		"Limite de chamadas da conta do WhatsApp atingido. O envio será repetido mais tarde.",
		"The WhatsApp account's API call limit was reached. Sending will be retried later."},
	4: {retryYes,
		"Limite de chamadas do aplicativo atingido. O envio será repetido mais tarde.",
		"The app's API call limit was reached. Sending will be retried later."},
	131057: {retryYes,
		"O número está em manutenção no WhatsApp (cerca de um minuto). O envio será repetido.",
		"The number is under maintenance at WhatsApp (about a minute). Sending will be retried."},
	132000: {retryNo,
		"O número de parâmetros não corresponde ao modelo de mensagem.",
		"The number of parameters does not match the message template."},
	132001: {retryNo,
		"O modelo de mensagem não existe neste idioma ou não está aprovado.",
		"The message template does not exist in this language or is not approved."},
	132005: {retryNo,
		"O texto do modelo com os parâmetros ficou longo demais. Encurte os parâmetros.",
		"The template text with its parameters is too long. Shorten the parameters."},
	132012: {retryNo,
		"O formato de um parâmetro não corresponde ao modelo (por exemplo, o tipo da mídia do cabeçalho).",
		"A parameter's format does not match the template (for example the header media type)."},
	132015: {retryNo,
		"O modelo de mensagem está pausado por baixa qualidade. Escolha outro modelo.",
		"The message template is paused for low quality. Choose another template."},
	132016: {retryNo,
		"O modelo de mensagem foi desativado permanentemente por baixa qualidade. Escolha outro modelo.",
		"The message template was permanently disabled for low quality. Choose another template."},
	190: {retryNo,
		"O token de acesso do canal expirou ou é inválido. Um administrador precisa atualizá-lo.",
		"The channel's access token expired or is invalid. An administrator must update it."},
	100: {retryNo,
		"Parâmetro inválido na chamada ao WhatsApp. Verifique a configuração do canal.",
		"Invalid parameter in the WhatsApp call. Check the channel configuration."},
	131009: {retryNo,
		"Um valor enviado ao WhatsApp é inválido.",
		"A value sent to WhatsApp is invalid."},
	131008: {retryNo,
		"Falta um parâmetro obrigatório na mensagem.",
		"A required parameter is missing from the message."},
	368: {retryNo,
		"A conta do WhatsApp está temporariamente bloqueada por violação de políticas. Avise o administrador.",
		"The WhatsApp account is temporarily blocked for a policy violation. Alert an administrator."},
	131031: {retryNo,
		"A conta do WhatsApp Business está bloqueada. Avise o administrador.",
		"The WhatsApp Business account is locked. Alert an administrator."},
	131030: {retryNo,
		"O destinatário não está na lista de números permitidos deste número de teste.",
		"The recipient is not in this test number's allowed list."},
	130472: {retryNo,
		"Mensagem não entregue: o cliente faz parte de um experimento de marketing do WhatsApp.",
		"Message not delivered: the customer is part of a WhatsApp marketing experiment."},
	131021: {retryNo,
		"O destinatário não pode ser o próprio número da empresa.",
		"The recipient cannot be the business's own number."},
	131042: {retryNo,
		"Há um problema de pagamento na conta do WhatsApp Business. Avise o administrador.",
		"There is a payment problem with the WhatsApp Business account. Alert an administrator."},
	133010: {retryNo,
		"O número da empresa não está registrado na API do WhatsApp.",
		"The business number is not registered with the WhatsApp API."},
	1: {retryYes,
		"O WhatsApp está com uma instabilidade temporária. O envio será repetido.",
		"WhatsApp is temporarily unstable. Sending will be retried."},
	2: {retryYes,
		"O serviço do WhatsApp está temporariamente indisponível. O envio será repetido.",
		"The WhatsApp service is temporarily unavailable. Sending will be retried."},
	131016: {retryYes,
		"O serviço do WhatsApp está sobrecarregado. O envio será repetido.",
		"The WhatsApp service is overloaded. Sending will be retried."},
}

// wireAPIError is the Graph API error object.
type wireAPIError struct {
	Error *struct {
		Message      string          `json:"message"`
		Type         string          `json:"type"`
		Code         flexInt64       `json:"code"`
		ErrorSubcode flexInt64       `json:"error_subcode"`
		ErrorData    json.RawMessage `json:"error_data"`
		FBTraceID    string          `json:"fbtrace_id"`
		IsTransient  bool            `json:"is_transient"`
		UserMsg      string          `json:"error_user_msg"`
	} `json:"error"`
}

// parseAPIError reads a Graph error body. ok is false when body holds no
// error object.
func parseAPIError(status int, body []byte) (e *APIError, ok bool) {
	var w wireAPIError
	if json.Unmarshal(body, &w) != nil || w.Error == nil {
		return nil, false
	}
	e = &APIError{
		HTTPStatus: status,
		Code:       int(w.Error.Code),
		Subcode:    int(w.Error.ErrorSubcode),
		Type:       w.Error.Type,
		Message:    w.Error.Message,
		FBTraceID:  w.Error.FBTraceID,
		Transient:  w.Error.IsTransient,
	}
	if len(w.Error.ErrorData) > 0 {
		var data struct {
			Details string `json:"details"`
		}
		var s string
		if json.Unmarshal(w.Error.ErrorData, &data) == nil {
			e.Details = data.Details
		} else if json.Unmarshal(w.Error.ErrorData, &s) == nil {
			e.Details = s
		}
	}
	if e.Details == "" {
		e.Details = w.Error.UserMsg
	}
	return e, true
}

// responseError builds the error for a non-2xx response.
func responseError(status int, body []byte) *APIError {
	if e, ok := parseAPIError(status, body); ok {
		return e
	}
	return &APIError{HTTPStatus: status, Message: http.StatusText(status)}
}
