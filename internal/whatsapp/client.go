package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Graph API defaults; both are configurable per channel.
const (
	DefaultBaseURL = "https://graph.facebook.com"
	DefaultVersion = "v23.0"
)

// MaxTextLength is the longest text message body WhatsApp accepts, in
// characters.
const MaxTextLength = 4096

// DefaultMaxDownload bounds [Client.Download] when no bound is given: the
// largest media WhatsApp accepts (documents, 100 MB).
const DefaultMaxDownload = 100 << 20

// maxResponseBytes bounds every JSON answer read from the Graph API.
const maxResponseBytes = 16 << 20

// Client errors.
var (
	// ErrInvalidRequest is wrapped when a method's arguments cannot make a
	// valid request (empty recipient, caption on audio, ...). Nothing was
	// sent.
	ErrInvalidRequest = errors.New("whatsapp: invalid request")
	// ErrNotConfigured is wrapped when a method needs a client option that
	// is empty (PhoneNumberID for sends and uploads, WABAID for templates).
	ErrNotConfigured = errors.New("whatsapp: client not configured")
	// ErrTooLarge is wrapped by [Client.Download] when the media is larger
	// than the bound.
	ErrTooLarge = errors.New("whatsapp: media larger than allowed")
	// ErrUnexpectedResponse is wrapped when a 2xx answer lacks what it
	// should carry (no message id, success false, unreadable JSON).
	ErrUnexpectedResponse = errors.New("whatsapp: unexpected response")
)

// ClientOptions configures a [Client]. AccessToken is a secret: it is sent
// only in Authorization headers, and String and LogValue leave it out.
type ClientOptions struct {
	// BaseURL is the Graph API root, default [DefaultBaseURL]. The sandbox
	// serves its imitation under its own URL.
	BaseURL string
	// Version is the Graph API version, e.g. "v23.0" (default
	// [DefaultVersion]).
	Version string
	// PhoneNumberID is the business number messages are sent from.
	PhoneNumberID string
	// WABAID is the WhatsApp Business Account whose templates are listed.
	WABAID string
	// AccessToken authenticates every call (required).
	AccessToken string
	// HTTP is the client used for every call; default one with a 30 s
	// timeout. Give deadlines through ctx as well.
	HTTP *http.Client
}

// String describes o without the access token.
func (o ClientOptions) String() string {
	return fmt.Sprintf("whatsapp.ClientOptions{BaseURL:%q Version:%q PhoneNumberID:%q WABAID:%q AccessToken:%s}",
		o.BaseURL, o.Version, o.PhoneNumberID, o.WABAID, redacted(o.AccessToken))
}

// LogValue implements [slog.LogValuer] without the access token.
func (o ClientOptions) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", o.BaseURL),
		slog.String("version", o.Version),
		slog.String("phone_number_id", o.PhoneNumberID),
		slog.String("waba_id", o.WABAID),
		slog.Bool("has_access_token", o.AccessToken != ""),
	)
}

func redacted(secret string) string {
	if secret == "" {
		return `""`
	}
	return "[REDACTED]"
}

// Client calls the WhatsApp Cloud API (Graph API) for one business phone
// number (F26). It is safe for concurrent use. It does not retry, throttle
// or log: callers decide with [Retryable] and [BackoffHint]. Errors from
// Graph are [*APIError]; network failures and timeouts are returned
// wrapped as they come from net/http, with any URL scrubbed of
// credentials.
type Client struct {
	base          *url.URL
	version       string
	phoneNumberID string
	wabaID        string
	token         string
	http          *http.Client
}

// NewClient returns a Client for o. It fails when the access token is empty
// or BaseURL is not an absolute http(s) URL.
func NewClient(o ClientOptions) (*Client, error) {
	if o.AccessToken == "" {
		return nil, fmt.Errorf("whatsapp: new client: %w: access token is empty", ErrNotConfigured)
	}
	raw := strings.TrimRight(strings.TrimSpace(o.BaseURL), "/")
	if raw == "" {
		raw = DefaultBaseURL
	}
	base, err := url.Parse(raw)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("whatsapp: new client: %w: base url %q is not an absolute http(s) URL", ErrNotConfigured, raw)
	}
	base.RawQuery, base.Fragment = "", ""
	version := strings.Trim(strings.TrimSpace(o.Version), "/")
	if version == "" {
		version = DefaultVersion
	}
	hc := o.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{
		base:          base,
		version:       version,
		phoneNumberID: strings.TrimSpace(o.PhoneNumberID),
		wabaID:        strings.TrimSpace(o.WABAID),
		token:         o.AccessToken,
		http:          hc,
	}, nil
}

// String describes c without the access token.
func (c *Client) String() string {
	return fmt.Sprintf("whatsapp.Client{base:%s version:%s phone_number_id:%s}", c.base, c.version, c.phoneNumberID)
}

// GoString is String, so %#v does not print the token either.
func (c *Client) GoString() string { return c.String() }

// PhoneNumberID returns the business number the client sends from.
func (c *Client) PhoneNumberID() string { return c.phoneNumberID }

// endpoint returns base + "/" + version + "/" + path segments, each escaped.
func (c *Client) endpoint(segments ...string) *url.URL {
	u := *c.base
	parts := make([]string, 0, len(segments)+1)
	parts = append(parts, c.version)
	escaped := make([]string, 0, len(segments)+1)
	escaped = append(escaped, url.PathEscape(c.version))
	for _, s := range segments {
		parts = append(parts, s)
		escaped = append(escaped, url.PathEscape(s))
	}
	u.Path = strings.TrimRight(c.base.Path, "/") + "/" + strings.Join(parts, "/")
	u.RawPath = strings.TrimRight(c.base.EscapedPath(), "/") + "/" + strings.Join(escaped, "/")
	return &u
}

// SendResult is the Graph API's acceptance of a message.
type SendResult struct {
	// WAMessageID is the wamid statuses will refer to.
	WAMessageID string `json:"wa_message_id"`
	// Input is the recipient as sent; WaID the wa_id WhatsApp resolved it
	// to (they may differ: "+", formatting, Brazil's ninth digit).
	Input string `json:"input,omitempty"`
	WaID  string `json:"wa_id,omitempty"`
	// MessageStatus is "accepted", "held_for_quality_assessment",
	// "paused", ... or empty in older responses.
	MessageStatus string `json:"message_status,omitempty"`
}

// OutgoingMessage is the body of POST /{phone_number_id}/messages. The
// Send* methods build it; [Client.Send] takes one for the cases they do not
// cover. Set exactly the object that matches Type.
type OutgoingMessage struct {
	// MessagingProduct is always "whatsapp"; Send sets it.
	MessagingProduct      string            `json:"messaging_product"`
	RecipientType         string            `json:"recipient_type,omitempty"`
	To                    string            `json:"to"`
	Type                  string            `json:"type"`
	Context               *ReplyContext     `json:"context,omitempty"`
	Text                  *OutgoingText     `json:"text,omitempty"`
	Image                 *OutgoingMedia    `json:"image,omitempty"`
	Audio                 *OutgoingMedia    `json:"audio,omitempty"`
	Video                 *OutgoingMedia    `json:"video,omitempty"`
	Document              *OutgoingMedia    `json:"document,omitempty"`
	Sticker               *OutgoingMedia    `json:"sticker,omitempty"`
	Reaction              *OutgoingReaction `json:"reaction,omitempty"`
	Template              *OutgoingTemplate `json:"template,omitempty"`
	Location              *Location         `json:"location,omitempty"`
	Interactive           json.RawMessage   `json:"interactive,omitempty"`
	BizOpaqueCallbackData string            `json:"biz_opaque_callback_data,omitempty"`
}

// ReplyContext makes a message a reply quoting MessageID.
type ReplyContext struct {
	MessageID string `json:"message_id"`
}

// OutgoingText is a text message body.
type OutgoingText struct {
	Body       string `json:"body"`
	PreviewURL bool   `json:"preview_url,omitempty"`
}

// OutgoingMedia refers to media by uploaded ID or by public Link. Caption
// is not allowed on audio and stickers; Filename is for documents.
type OutgoingMedia struct {
	ID       string `json:"id,omitempty"`
	Link     string `json:"link,omitempty"`
	Caption  string `json:"caption,omitempty"`
	Filename string `json:"filename,omitempty"`
}

// OutgoingReaction reacts to MessageID; an empty Emoji removes the
// reaction, so it is always sent.
type OutgoingReaction struct {
	MessageID string `json:"message_id"`
	Emoji     string `json:"emoji"`
}

// OutgoingTemplate is the template object of a send.
type OutgoingTemplate struct {
	Name       string           `json:"name"`
	Language   TemplateLanguage `json:"language"`
	Components []SendComponent  `json:"components,omitempty"`
}

// TemplateLanguage names a template's language ("pt_BR", "en_US").
type TemplateLanguage struct {
	Code string `json:"code"`
}

// TemplateSend is what [Client.SendTemplate] sends: the template's Name
// and Language code, and its parameters as built by [BuildComponents].
type TemplateSend struct {
	Name       string
	Language   string
	Components []SendComponent
}

type wireSendResponse struct {
	Contacts []struct {
		Input string `json:"input"`
		WaID  string `json:"wa_id"`
	} `json:"contacts"`
	Messages []struct {
		ID            string `json:"id"`
		MessageStatus string `json:"message_status"`
	} `json:"messages"`
}

// Send posts m to the messages endpoint and returns the accepted message.
// messaging_product is set to "whatsapp".
func (c *Client) Send(ctx context.Context, m OutgoingMessage) (SendResult, error) {
	if c.phoneNumberID == "" {
		return SendResult{}, fmt.Errorf("whatsapp: send %s: %w: phone number id is empty", m.Type, ErrNotConfigured)
	}
	if strings.TrimSpace(m.To) == "" {
		return SendResult{}, fmt.Errorf("whatsapp: send %s: %w: empty recipient", m.Type, ErrInvalidRequest)
	}
	if m.Type == "" {
		return SendResult{}, fmt.Errorf("whatsapp: send: %w: empty type", ErrInvalidRequest)
	}
	m.MessagingProduct = "whatsapp"
	var resp wireSendResponse
	if err := c.postJSON(ctx, c.endpoint(c.phoneNumberID, "messages").String(), m, &resp); err != nil {
		return SendResult{}, fmt.Errorf("whatsapp: send %s: %w", m.Type, err)
	}
	if len(resp.Messages) == 0 || resp.Messages[0].ID == "" {
		return SendResult{}, fmt.Errorf("whatsapp: send %s: %w: no message id", m.Type, ErrUnexpectedResponse)
	}
	r := SendResult{WAMessageID: resp.Messages[0].ID, MessageStatus: resp.Messages[0].MessageStatus}
	if len(resp.Contacts) > 0 {
		r.Input, r.WaID = resp.Contacts[0].Input, resp.Contacts[0].WaID
	}
	return r, nil
}

// SendText sends a text message to the wa_id to, quoting the message
// replyTo when not empty. previewURL asks WhatsApp to render a preview of
// the first link. body must have 1 to [MaxTextLength] characters.
func (c *Client) SendText(ctx context.Context, to, body, replyTo string, previewURL bool) (SendResult, error) {
	if strings.TrimSpace(body) == "" {
		return SendResult{}, fmt.Errorf("whatsapp: send text: %w: empty body", ErrInvalidRequest)
	}
	if n := utf8.RuneCountInString(body); n > MaxTextLength {
		return SendResult{}, fmt.Errorf("whatsapp: send text: %w: body has %d characters, max %d", ErrInvalidRequest, n, MaxTextLength)
	}
	return c.Send(ctx, OutgoingMessage{
		To: to, Type: TypeText, Context: replyContext(replyTo),
		Text: &OutgoingText{Body: body, PreviewURL: previewURL},
	})
}

// SendMedia sends uploaded media (mediaID from [Client.UploadMedia]) of
// kind image, audio, video, document or sticker. caption is refused for
// audio and stickers; filename is used for documents only.
func (c *Client) SendMedia(ctx context.Context, to, kind, mediaID, caption, filename, replyTo string) (SendResult, error) {
	if mediaID == "" {
		return SendResult{}, fmt.Errorf("whatsapp: send %s: %w: empty media id", kind, ErrInvalidRequest)
	}
	media := &OutgoingMedia{ID: mediaID, Caption: caption}
	m := OutgoingMessage{To: to, Type: kind, Context: replyContext(replyTo)}
	switch kind {
	case TypeImage:
		m.Image = media
	case TypeVideo:
		m.Video = media
	case TypeDocument:
		media.Filename = filename
		m.Document = media
	case TypeAudio, TypeSticker:
		if caption != "" {
			return SendResult{}, fmt.Errorf("whatsapp: send %s: %w: %s takes no caption", kind, ErrInvalidRequest, kind)
		}
		if kind == TypeAudio {
			m.Audio = media
		} else {
			m.Sticker = media
		}
	default:
		return SendResult{}, fmt.Errorf("whatsapp: send media: %w: unknown media kind %q", ErrInvalidRequest, kind)
	}
	return c.Send(ctx, m)
}

// SendReaction reacts to messageID with emoji; an empty emoji removes the
// business's reaction.
func (c *Client) SendReaction(ctx context.Context, to, messageID, emoji string) (SendResult, error) {
	if messageID == "" {
		return SendResult{}, fmt.Errorf("whatsapp: send reaction: %w: empty message id", ErrInvalidRequest)
	}
	return c.Send(ctx, OutgoingMessage{
		To: to, Type: TypeReaction,
		Reaction: &OutgoingReaction{MessageID: messageID, Emoji: emoji},
	})
}

// SendTemplate sends an approved template; t.Components come from
// [BuildComponents] (nil for a template without parameters).
func (c *Client) SendTemplate(ctx context.Context, to string, t TemplateSend) (SendResult, error) {
	if t.Name == "" || t.Language == "" {
		return SendResult{}, fmt.Errorf("whatsapp: send template: %w: name and language are required", ErrInvalidRequest)
	}
	return c.Send(ctx, OutgoingMessage{
		To: to, Type: TypeTemplate,
		Template: &OutgoingTemplate{Name: t.Name, Language: TemplateLanguage{Code: t.Language}, Components: t.Components},
	})
}

func replyContext(replyTo string) *ReplyContext {
	if replyTo == "" {
		return nil
	}
	return &ReplyContext{MessageID: replyTo}
}

type readReceipt struct {
	MessagingProduct string           `json:"messaging_product"`
	Status           string           `json:"status"`
	MessageID        string           `json:"message_id"`
	TypingIndicator  *typingIndicator `json:"typing_indicator,omitempty"`
}

type typingIndicator struct {
	Type string `json:"type"`
}

// MarkRead sends a read receipt for the inbound message messageID (the
// user sees blue ticks up to it).
func (c *Client) MarkRead(ctx context.Context, messageID string) error {
	return c.markRead(ctx, "mark read", messageID, nil)
}

// ShowTyping marks messageID read and shows a typing indicator to the
// user until the business replies or about 25 seconds pass.
func (c *Client) ShowTyping(ctx context.Context, messageID string) error {
	return c.markRead(ctx, "show typing", messageID, &typingIndicator{Type: "text"})
}

func (c *Client) markRead(ctx context.Context, op, messageID string, typing *typingIndicator) error {
	if c.phoneNumberID == "" {
		return fmt.Errorf("whatsapp: %s: %w: phone number id is empty", op, ErrNotConfigured)
	}
	if messageID == "" {
		return fmt.Errorf("whatsapp: %s: %w: empty message id", op, ErrInvalidRequest)
	}
	body := readReceipt{MessagingProduct: "whatsapp", Status: StatusRead, MessageID: messageID, TypingIndicator: typing}
	var resp struct {
		Success bool `json:"success"`
	}
	if err := c.postJSON(ctx, c.endpoint(c.phoneNumberID, "messages").String(), body, &resp); err != nil {
		return fmt.Errorf("whatsapp: %s %s: %w", op, messageID, err)
	}
	if !resp.Success {
		return fmt.Errorf("whatsapp: %s %s: %w: success is false", op, messageID, ErrUnexpectedResponse)
	}
	return nil
}

// UploadMedia uploads the content of r as a media file named filename of
// type mime, and returns its media id (valid about 30 days). The body is
// streamed as multipart/form-data with the fields messaging_product,
// type and file. Type and size limits are WhatsApp's to enforce; check
// them before uploading.
func (c *Client) UploadMedia(ctx context.Context, filename, mime string, r io.Reader) (string, error) {
	if c.phoneNumberID == "" {
		return "", fmt.Errorf("whatsapp: upload media: %w: phone number id is empty", ErrNotConfigured)
	}
	if mime == "" {
		return "", fmt.Errorf("whatsapp: upload media: %w: empty mime type", ErrInvalidRequest)
	}
	if filename == "" {
		filename = "file"
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	done := make(chan struct{})
	go func() {
		defer close(done)
		pw.CloseWithError(writeUpload(mw, filename, mime, r))
	}()
	var resp struct {
		ID string `json:"id"`
	}
	err := c.do(ctx, http.MethodPost, c.endpoint(c.phoneNumberID, "media").String(), pr, mw.FormDataContentType(), &resp)
	pr.Close() // stops the writer if the request ended early
	<-done     // r is not read after UploadMedia returns
	if err != nil {
		return "", fmt.Errorf("whatsapp: upload media: %w", err)
	}
	if resp.ID == "" {
		return "", fmt.Errorf("whatsapp: upload media: %w: no media id", ErrUnexpectedResponse)
	}
	return resp.ID, nil
}

func writeUpload(mw *multipart.Writer, filename, mime string, r io.Reader) error {
	if err := mw.WriteField("messaging_product", "whatsapp"); err != nil {
		return err
	}
	if err := mw.WriteField("type", mime); err != nil {
		return err
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename="%s"`, escapeQuotes(filename)))
	h.Set("Content-Type", mime)
	part, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := io.Copy(part, r); err != nil {
		return err
	}
	return mw.Close()
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"", "\r", "", "\n", "")

func escapeQuotes(s string) string { return quoteEscaper.Replace(s) }

// MediaInfo describes uploaded or received media. URL is valid for about
// five minutes and must be fetched with [Client.Download].
type MediaInfo struct {
	ID       string `json:"id"`
	URL      string `json:"url"`
	MimeType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	FileSize int64  `json:"file_size"`
}

// MediaInfo looks media id up (GET /{media_id}, scoped to the client's
// phone number when it has one).
func (c *Client) MediaInfo(ctx context.Context, id string) (MediaInfo, error) {
	if id == "" {
		return MediaInfo{}, fmt.Errorf("whatsapp: media info: %w: empty media id", ErrInvalidRequest)
	}
	u := c.endpoint(id)
	if c.phoneNumberID != "" {
		u.RawQuery = url.Values{"phone_number_id": {c.phoneNumberID}}.Encode()
	}
	var w struct {
		ID       flexString `json:"id"`
		URL      string     `json:"url"`
		MimeType string     `json:"mime_type"`
		SHA256   string     `json:"sha256"`
		FileSize flexInt64  `json:"file_size"`
	}
	if err := c.do(ctx, http.MethodGet, u.String(), nil, "", &w); err != nil {
		return MediaInfo{}, fmt.Errorf("whatsapp: media info %s: %w", id, err)
	}
	if w.URL == "" {
		return MediaInfo{}, fmt.Errorf("whatsapp: media info %s: %w: no url", id, ErrUnexpectedResponse)
	}
	return MediaInfo{ID: string(w.ID), URL: w.URL, MimeType: w.MimeType, SHA256: w.SHA256, FileSize: int64(w.FileSize)}, nil
}

// DeleteMedia deletes uploaded media id.
func (c *Client) DeleteMedia(ctx context.Context, id string) error {
	if id == "" {
		return fmt.Errorf("whatsapp: delete media: %w: empty media id", ErrInvalidRequest)
	}
	u := c.endpoint(id)
	if c.phoneNumberID != "" {
		u.RawQuery = url.Values{"phone_number_id": {c.phoneNumberID}}.Encode()
	}
	var resp struct {
		Success bool `json:"success"`
	}
	if err := c.do(ctx, http.MethodDelete, u.String(), nil, "", &resp); err != nil {
		return fmt.Errorf("whatsapp: delete media %s: %w", id, err)
	}
	if !resp.Success {
		return fmt.Errorf("whatsapp: delete media %s: %w: success is false", id, ErrUnexpectedResponse)
	}
	return nil
}

// Download fetches a media URL from [Client.MediaInfo] with the bearer
// token and copies at most maxBytes bytes to w ([DefaultMaxDownload] when
// maxBytes ≤ 0). It returns the number of bytes written. Larger media fail
// with [ErrTooLarge] — before anything is written when the server
// announces its length, otherwise after maxBytes bytes, which the caller
// must then discard. To keep the token from leaking, the URL must be https
// or on the same host as the client's base URL (the sandbox).
func (c *Client) Download(ctx context.Context, mediaURL string, w io.Writer, maxBytes int64) (int64, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxDownload
	}
	u, err := url.Parse(mediaURL)
	if err != nil || u.Host == "" {
		return 0, fmt.Errorf("whatsapp: download media: %w: not an absolute url", ErrInvalidRequest)
	}
	if u.Scheme != "https" && !(u.Scheme == c.base.Scheme && u.Host == c.base.Host) {
		return 0, fmt.Errorf("whatsapp: download media: %w: refusing to send credentials to %s://%s", ErrInvalidRequest, u.Scheme, u.Host)
	}
	req, err := c.newRequest(ctx, http.MethodGet, u.String(), nil, "")
	if err != nil {
		return 0, fmt.Errorf("whatsapp: download media: %w", err)
	}
	req.Header.Set("Accept", "*/*")
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, fmt.Errorf("whatsapp: download media: %w", scrub(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return 0, fmt.Errorf("whatsapp: download media: %w", responseError(resp.StatusCode, body))
	}
	if resp.ContentLength > maxBytes {
		return 0, fmt.Errorf("whatsapp: download media: %w: %d bytes, max %d", ErrTooLarge, resp.ContentLength, maxBytes)
	}
	n, err := io.Copy(w, io.LimitReader(resp.Body, maxBytes))
	if err != nil {
		return n, fmt.Errorf("whatsapp: download media: %w", scrub(err))
	}
	if n == maxBytes {
		var one [1]byte
		if m, _ := io.ReadFull(resp.Body, one[:]); m > 0 {
			return n, fmt.Errorf("whatsapp: download media: %w: more than %d bytes", ErrTooLarge, maxBytes)
		}
	}
	return n, nil
}

// postJSON posts v as JSON and decodes the answer into out.
func (c *Client) postJSON(ctx context.Context, rawURL string, v, out any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode request: %w", err)
	}
	return c.do(ctx, http.MethodPost, rawURL, bytes.NewReader(body), "application/json", out)
}

func (c *Client) newRequest(ctx context.Context, method, rawURL string, body io.Reader, contentType string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, rawURL, body)
	if err != nil {
		return nil, scrub(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "papo")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req, nil
}

// do performs one Graph API call. Any non-2xx answer, or a 2xx answer
// holding an error object, becomes an [*APIError]; otherwise the JSON body
// is decoded into out.
func (c *Client) do(ctx context.Context, method, rawURL string, body io.Reader, contentType string, out any) error {
	req, err := c.newRequest(ctx, method, rawURL, body, contentType)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return scrub(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return fmt.Errorf("read response: %w", scrub(err))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return responseError(resp.StatusCode, data)
	}
	if len(data) > maxResponseBytes {
		return fmt.Errorf("%w: response larger than %d bytes", ErrUnexpectedResponse, maxResponseBytes)
	}
	if e, ok := parseAPIError(resp.StatusCode, data); ok {
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%w: decode: %w", ErrUnexpectedResponse, err)
	}
	return nil
}

// scrub removes query strings (where Graph puts access_token in paging
// links) from the URL of a *url.Error, keeping the error's type and cause.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: stripQuery(ue.URL), Err: ue.Err}
	}
	return err
}

func stripQuery(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.IndexAny(raw, "?#"); i >= 0 {
			return raw[:i]
		}
		return raw
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	return u.String()
}
