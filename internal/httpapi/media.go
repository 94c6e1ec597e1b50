package httpapi

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"papo/internal/apperr"
	"papo/internal/outbound"
)

// maxUpload bounds a multipart upload: WhatsApp's largest file (documents,
// 100 MB) plus the form's own bytes. Each type's limit is checked as the
// file is read.
const maxUpload = outbound.MaxMediaSize + 1<<20

var errNotMultipart = apperr.New(errUnsupportedMediaType, `Send the file as multipart/form-data in the field "file" (or as JSON {"filename", "mime_type", "data": base64} up to 1 MiB).`)

// uploadMedia stores a file to send (F26): multipart field "file", or a
// small JSON upload {"filename","mime_type","data"} (base64, within the
// 1 MiB JSON limit). 201 {"id","mime_type","size","filename"}; too big for
// its type 413; a type WhatsApp does not accept 400.
func (s *Server) uploadMedia(w http.ResponseWriter, r *http.Request) error {
	if r.ContentLength > maxUpload {
		return errPayloadTooLarge
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	p := principal(r)
	switch mt {
	case "application/json":
		in, err := decode[struct {
			Filename string `json:"filename"`
			MimeType string `json:"mime_type"`
			Data     string `json:"data"`
		}](w, r)
		if err != nil {
			return err
		}
		data, err := base64.StdEncoding.DecodeString(in.Data)
		if err != nil {
			return fieldError("data", "must be base64")
		}
		info, err := s.outbound.StoreMedia(r.Context(), p, in.Filename, in.MimeType, bytes.NewReader(data))
		return reply(w, http.StatusCreated, info, uploadError(err))
	case "multipart/form-data":
	default:
		return errNotMultipart
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	mr, err := r.MultipartReader()
	if err != nil {
		return errNotMultipart
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return fieldError("file", "required: the file to upload")
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return errPayloadTooLarge
			}
			return fieldError("body", "malformed multipart body")
		}
		if part.FormName() != "file" {
			_ = part.Close()
			continue
		}
		info, err := s.outbound.StoreMedia(r.Context(), p, part.FileName(), part.Header.Get("Content-Type"), part)
		return reply(w, http.StatusCreated, info, uploadError(err))
	}
}

func uploadError(err error) error {
	if errors.Is(err, outbound.ErrTooLarge) {
		return errPayloadTooLarge
	}
	return err
}

// getMedia streams a stored file to a caller who may see a message holding
// it or who uploaded it (else 404). The browser is told not to guess its
// type and to download anything it would not show inline.
func (s *Server) getMedia(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f, err := s.outbound.OpenMedia(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	disposition := "attachment"
	if t := f.MimeType; strings.HasPrefix(t, "image/") || strings.HasPrefix(t, "audio/") || strings.HasPrefix(t, "video/") {
		disposition = "inline"
	}
	h := w.Header()
	h.Set("Content-Type", f.MimeType)
	cd := mime.FormatMediaType(disposition, map[string]string{"filename": f.Filename})
	if cd == "" {
		cd = disposition
	}
	h.Set("Content-Disposition", cd)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, max-age=3600")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.Data))
	return nil
}
