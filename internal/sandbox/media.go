package sandbox

import (
	"bytes"
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// mediaObject is an uploaded file or a file a phone sent.
type mediaObject struct {
	id        string
	mime      string // as given (may carry parameters: "audio/ogg; codecs=opus")
	kind      string // audio, image, video, document, sticker
	data      []byte
	sha256    [32]byte
	filename  string
	numberID  string
	createdAt time.Time
	ttl       time.Duration
}

func (m *mediaObject) expired(now time.Time) bool {
	return !now.Before(m.createdAt.Add(m.ttl))
}

// mediaLimit is WhatsApp's limit for one MIME type (fact sheet §7).
type mediaLimit struct {
	kind string
	max  int64
}

const mb = 1 << 20

var mediaLimits = map[string]mediaLimit{
	"audio/aac":          {"audio", 16 * mb},
	"audio/amr":          {"audio", 16 * mb},
	"audio/mpeg":         {"audio", 16 * mb},
	"audio/mp4":          {"audio", 16 * mb},
	"audio/ogg":          {"audio", 16 * mb},
	"image/jpeg":         {"image", 5 * mb},
	"image/png":          {"image", 5 * mb},
	"video/mp4":          {"video", 16 * mb},
	"video/3gpp":         {"video", 16 * mb},
	"text/plain":         {"document", 100 * mb},
	"application/pdf":    {"document", 100 * mb},
	"application/msword": {"document", 100 * mb},
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": {"document", 100 * mb},
	"application/vnd.ms-excel": {"document", 100 * mb},
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         {"document", 100 * mb},
	"application/vnd.ms-powerpoint":                                             {"document", 100 * mb},
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": {"document", 100 * mb},
	"image/webp": {"sticker", 500 << 10},
}

// Retention of media ids (fact sheet §7): uploads ~30 days, received media ~7 days; download URLs
// ~5 minutes.
const (
	uploadTTL   = 30 * 24 * time.Hour
	inboundTTL  = 7 * 24 * time.Hour
	linkTTL     = 5 * time.Minute
	maxUpload   = 100*mb + mb
	downloadDir = "/lookaside/whatsapp_business/attachments/"
)

const downloadPath = downloadDir + "{$}"

// checkMedia returns the kind of a MIME type within WhatsApp's limits, or a 131053 error.
func checkMedia(mimeType string, size int64) (string, *graphError) {
	base, _, _ := mime.ParseMediaType(mimeType)
	lim, ok := mediaLimits[strings.ToLower(base)]
	if !ok {
		return "", newGraphError(131053, fmt.Sprintf("Param file must be a file with one of the following types: audio/aac, audio/amr, audio/mpeg, audio/mp4, audio/ogg, image/jpeg, image/png, image/webp, video/mp4, video/3gpp, text/plain, application/pdf, application/msword, application/vnd.ms-excel, application/vnd.ms-powerpoint and the OpenXML formats. Received file of type '%s'.", mimeType))
	}
	if size == 0 {
		return "", newGraphError(131053, "The uploaded file is empty.")
	}
	if size > lim.max {
		return "", newGraphError(131053, fmt.Sprintf("File of type %s is %d bytes, over the %d-byte limit for %s.", base, size, lim.max, lim.kind))
	}
	return lim.kind, nil
}

// compatibleMedia reports whether a stored file may be sent as a message of type typ. Documents take
// any supported file; WebP images are stickers only (Meta accepts a WebP sent as image and then
// fails it asynchronously).
func compatibleMedia(typ, kind string) bool {
	return typ == "document" || typ == kind
}

// storeMediaLocked keeps a file and returns its new id.
func (s *Sandbox) storeMediaLocked(data []byte, mimeType, kind, filename, numberID string, ttl time.Duration) *mediaObject {
	m := &mediaObject{
		id: randomDigits(16), mime: mimeType, kind: kind, data: data, sha256: sha256.Sum256(data),
		filename: filename, numberID: numberID, createdAt: s.now(), ttl: ttl,
	}
	s.media[m.id] = m
	return m
}

// handleMediaUpload imitates POST /{version}/{phone_number_id}/media (multipart: messaging_product,
// type, file).
func (s *Sandbox) handleMediaUpload(w http.ResponseWriter, r *http.Request) {
	if e := s.checkBearer(r); e != nil {
		writeGraphError(w, e)
		return
	}
	if e := checkVersion(r); e != nil {
		writeGraphError(w, e)
		return
	}
	pnid := r.PathValue("id")
	if s.number(pnid) == nil {
		writeGraphError(w, methodError(r.Method, pnid))
		return
	}
	if f := s.takeFailure("media", pnid, "", false); f != nil {
		writeFailure(r.Context(), w, f)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	mr, err := r.MultipartReader()
	if err != nil {
		writeGraphError(w, newGraphError(100, "The request must be multipart/form-data with a file field."))
		return
	}
	var product, typeField, partType, filename string
	var data []byte
	gotFile := false
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			writeUploadReadError(w, err)
			return
		}
		switch part.FormName() {
		case "messaging_product":
			b, _ := io.ReadAll(io.LimitReader(part, 64))
			product = strings.TrimSpace(string(b))
		case "type":
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			typeField = strings.TrimSpace(string(b))
		case "file":
			data, err = io.ReadAll(part)
			if err != nil {
				writeUploadReadError(w, err)
				return
			}
			gotFile, partType, filename = true, part.Header.Get("Content-Type"), part.FileName()
		}
		part.Close()
	}
	if product != "whatsapp" {
		writeGraphError(w, &graphError{status: http.StatusBadRequest, code: 100, message: "(#100) The parameter messaging_product is required.", details: `messaging_product must be "whatsapp"`})
		return
	}
	if !gotFile {
		writeGraphError(w, &graphError{status: http.StatusBadRequest, code: 100, message: "(#100) The parameter file is required.", details: "The parameter file is required."})
		return
	}
	mimeType := cmp.Or(typeField, partType)
	kind, e := checkMedia(mimeType, int64(len(data)))
	if e != nil {
		writeGraphError(w, e)
		return
	}
	s.mu.Lock()
	m := s.storeMediaLocked(data, mimeType, kind, filename, pnid, uploadTTL)
	s.stats.MediaUploads++
	s.mu.Unlock()
	writeGraphJSON(w, http.StatusOK, object{{"id", m.id}})
}

func writeUploadReadError(w http.ResponseWriter, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		writeGraphError(w, newGraphError(131053, "The uploaded file is larger than WhatsApp's largest limit (100 MB)."))
		return
	}
	writeGraphError(w, newGraphError(100, "Could not read the multipart body: "+err.Error()))
}

// handleGraphObject answers GET /{version}/{id} for a media id (its download URL), a business
// number, or the WABA.
func (s *Sandbox) handleGraphObject(w http.ResponseWriter, r *http.Request) {
	if e := s.checkBearer(r); e != nil {
		writeGraphError(w, e)
		return
	}
	if e := checkVersion(r); e != nil {
		writeGraphError(w, e)
		return
	}
	id := r.PathValue("id")
	if n := s.number(id); n != nil {
		writeGraphJSON(w, http.StatusOK, numberObject(n))
		return
	}
	if id == s.wabaID {
		writeGraphJSON(w, http.StatusOK, object{
			{"id", s.wabaID}, {"name", DefaultVerifiedName}, {"currency", "BRL"}, {"timezone_id", "25"},
			{"message_template_namespace", "sandbox_" + s.wabaID},
		})
		return
	}
	s.mu.Lock()
	m := s.media[id]
	if m != nil && m.expired(s.now()) {
		delete(s.media, id)
		m = nil
	}
	s.mu.Unlock()
	if m == nil {
		writeGraphError(w, methodError(r.Method, id))
		return
	}
	if f := s.takeFailure("media", m.numberID, "", false); f != nil {
		writeFailure(r.Context(), w, f)
		return
	}
	if p := r.URL.Query().Get("phone_number_id"); p != "" && p != m.numberID {
		writeGraphError(w, newGraphError(100, "The media does not belong to phone_number_id "+p))
		return
	}
	writeGraphJSON(w, http.StatusOK, object{
		{"url", s.downloadURL(r, m)},
		{"mime_type", m.mime},
		{"sha256", hex.EncodeToString(m.sha256[:])},
		{"file_size", len(m.data)},
		{"id", m.id},
		{"messaging_product", "whatsapp"},
	})
}

func numberObject(n *Number) object {
	return object{
		{"verified_name", n.VerifiedName}, {"code_verification_status", "VERIFIED"},
		{"display_phone_number", n.DisplayPhoneNumber}, {"quality_rating", "GREEN"},
		{"platform_type", "CLOUD_API"}, {"throughput", object{{"level", "STANDARD"}}}, {"id", n.ID},
	}
}

// handlePhoneNumbers imitates GET /{version}/{waba_id}/phone_numbers.
func (s *Sandbox) handlePhoneNumbers(w http.ResponseWriter, r *http.Request) {
	if e := s.checkBearer(r); e != nil {
		writeGraphError(w, e)
		return
	}
	if id := r.PathValue("id"); id != s.wabaID {
		writeGraphError(w, methodError(r.Method, id+"/phone_numbers"))
		return
	}
	data := []any{}
	for i := range s.numbers {
		data = append(data, numberObject(&s.numbers[i]))
	}
	writeGraphJSON(w, http.StatusOK, object{{"data", data}})
}

// handleMediaDelete imitates DELETE /{version}/{media_id}.
func (s *Sandbox) handleMediaDelete(w http.ResponseWriter, r *http.Request) {
	if e := s.checkBearer(r); e != nil {
		writeGraphError(w, e)
		return
	}
	id := r.PathValue("id")
	s.mu.Lock()
	_, ok := s.media[id]
	delete(s.media, id)
	s.mu.Unlock()
	if !ok {
		writeGraphError(w, methodError(r.Method, id))
		return
	}
	writeGraphJSON(w, http.StatusOK, object{{"success", true}})
}

// downloadURL is a short-lived absolute link to the sandbox's own lookaside imitation.
func (s *Sandbox) downloadURL(r *http.Request, m *mediaObject) string {
	ext := strconv.FormatInt(s.now().Add(linkTTL).Unix(), 10)
	q := url.Values{"mid": {m.id}, "ext": {ext}, "hash": {s.linkHash(m.id, ext)}}
	return s.baseURL(r) + downloadDir + "?" + q.Encode()
}

func (s *Sandbox) linkHash(id, ext string) string {
	h := hmac.New(sha256.New, s.linkKey)
	h.Write([]byte(id + "|" + ext))
	return "ATu" + base64.RawURLEncoding.EncodeToString(h.Sum(nil))[:24]
}

// handleMediaDownload streams a file from a download URL; like Meta's it needs the Bearer token.
func (s *Sandbox) handleMediaDownload(w http.ResponseWriter, r *http.Request) {
	if e := s.checkBearer(r); e != nil {
		writeGraphError(w, e)
		return
	}
	q := r.URL.Query()
	id, ext := q.Get("mid"), q.Get("ext")
	if !hmac.Equal([]byte(q.Get("hash")), []byte(s.linkHash(id, ext))) {
		http.Error(w, "URL signature mismatch", http.StatusForbidden)
		return
	}
	exp, _ := strconv.ParseInt(ext, 10, 64)
	if s.now().Unix() > exp {
		http.Error(w, "URL signature expired", http.StatusForbidden)
		return
	}
	s.mu.Lock()
	m := s.media[id]
	s.mu.Unlock()
	if m == nil {
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	if f := s.takeFailure("media", m.numberID, "", false); f != nil {
		writeFailure(r.Context(), w, f)
		return
	}
	serveMedia(w, m)
}

// handleMediaView streams a file for the phone page (no token: the page is the customer's side).
func (s *Sandbox) handleMediaView(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	m := s.media[r.PathValue("id")]
	s.mu.Unlock()
	if m == nil {
		writeAPIError(w, http.StatusNotFound, "not_found", "unknown media id")
		return
	}
	serveMedia(w, m)
}

func serveMedia(w http.ResponseWriter, m *mediaObject) {
	w.Header().Set("Content-Type", m.mime)
	w.Header().Set("Content-Length", strconv.Itoa(len(m.data)))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "private, max-age=300")
	if m.filename != "" {
		w.Header().Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": m.filename}))
	}
	_, _ = w.Write(m.data)
}

// inboundMediaLocked stores the file a phone sends and builds the media object of the message.
func (s *Sandbox) inboundMediaLocked(in *phoneMessageRequest, msg *inbound, num *Number, now time.Time, base string) error {
	typ := in.Type
	var data []byte
	mimeType, filename, caption := "", in.Filename, cmp.Or(in.Caption, in.Text)
	if in.Media != nil {
		data, mimeType = in.Media.Data, in.Media.MimeType
		filename = cmp.Or(in.Media.Filename, filename)
		caption = cmp.Or(in.Media.Caption, caption)
	}
	if len(data) == 0 {
		var defName string
		data, mimeType, defName = sampleMedia(typ, in.Voice)
		filename = cmp.Or(filename, defName)
	}
	if mimeType == "" {
		return fmt.Errorf("media.mime_type is required with media.data")
	}
	kind, e := checkMedia(mimeType, int64(len(data)))
	if e != nil {
		return fmt.Errorf("media: %s", e.details)
	}
	if !compatibleMedia(typ, kind) {
		return fmt.Errorf("media of type %s cannot be sent as %s", mimeType, typ)
	}
	if typ == "audio" || typ == "sticker" {
		caption = ""
	}
	m := s.storeMediaLocked(data, mimeType, kind, filename, num.ID, inboundTTL)
	m.createdAt = now
	o := object{}
	if caption != "" {
		o = append(o, member{"caption", caption})
	}
	if typ == "document" && filename != "" {
		o = append(o, member{"filename", filename})
	}
	o = append(o, member{"mime_type", mimeType}, member{"sha256", base64.StdEncoding.EncodeToString(m.sha256[:])}, member{"id", m.id})
	ext := strconv.FormatInt(now.Add(linkTTL).Unix(), 10)
	q := url.Values{"mid": {m.id}, "ext": {ext}, "hash": {s.linkHash(m.id, ext)}}
	o = append(o, member{"url", base + downloadDir + "?" + q.Encode()})
	if typ == "audio" {
		o = append(o, member{"voice", in.Voice})
	}
	if typ == "sticker" {
		o = append(o, member{"animated", in.Animated})
	}
	msg.text = caption
	msg.typeObj = o
	return nil
}

// sampleMedia is the tiny file a phone sends when the request carries none.
func sampleMedia(typ string, voice bool) (data []byte, mimeType, filename string) {
	switch typ {
	case "image":
		return sampleJPEG(), "image/jpeg", "foto.jpg"
	case "audio":
		ogg := append([]byte("OggS\x00\x02"), make([]byte, 20)...)
		ogg = append(ogg, []byte("\x01\x13OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00\x00\x00\x00")...)
		if voice {
			return ogg, "audio/ogg; codecs=opus", "audio.ogg"
		}
		return ogg, "audio/ogg", "audio.ogg"
	case "video":
		return append([]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), make([]byte, 16)...), "video/mp4", "video.mp4"
	case "sticker":
		webp := []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")
		return webp, "image/webp", "sticker.webp"
	default:
		pdf := "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
		return []byte(pdf), "application/pdf", "documento.pdf"
	}
}

// sampleJPEG encodes a small green square.
func sampleJPEG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for y := range 16 {
		for x := range 16 {
			img.Set(x, y, color.RGBA{R: 37, G: 211, B: 102, A: 255})
		}
	}
	var b bytes.Buffer
	_ = jpeg.Encode(&b, img, &jpeg.Options{Quality: 80})
	return b.Bytes()
}
