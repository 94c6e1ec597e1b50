package outbound

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"papo/internal/apperr"
	"papo/internal/auth"
	"papo/internal/store"
)

// ErrTooLarge is returned when an uploaded file is larger than WhatsApp
// accepts for its type (api.md: 413 payload_too_large).
var ErrTooLarge = errors.New("outbound: file larger than WhatsApp accepts for its type")

// MaxMediaSize is the largest file WhatsApp accepts of any type (documents).
const MaxMediaSize = 100 << 20

// mediaLimit is what WhatsApp accepts for one MIME type (fact sheet §7).
type mediaLimit struct {
	kind string // the message type it is sent as (documents take any)
	max  int64
}

const mib = 1 << 20

var mediaLimits = map[string]mediaLimit{
	"audio/aac":                     {"audio", 16 * mib},
	"audio/amr":                     {"audio", 16 * mib},
	"audio/mpeg":                    {"audio", 16 * mib},
	"audio/mp4":                     {"audio", 16 * mib},
	"audio/ogg":                     {"audio", 16 * mib}, // opus only
	"image/jpeg":                    {"image", 5 * mib},
	"image/png":                     {"image", 5 * mib},
	"image/webp":                    {"sticker", 500 << 10}, // animated stickers; static ones are 100 KB
	"video/mp4":                     {"video", 16 * mib},
	"video/3gpp":                    {"video", 16 * mib},
	"text/plain":                    {"document", 100 * mib},
	"application/pdf":               {"document", 100 * mib},
	"application/msword":            {"document", 100 * mib},
	"application/vnd.ms-excel":      {"document", 100 * mib},
	"application/vnd.ms-powerpoint": {"document", 100 * mib},
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   {"document", 100 * mib},
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         {"document", 100 * mib},
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": {"document", 100 * mib},
}

// acceptedTypes lists the accepted MIME types for error messages.
const acceptedTypes = "image/jpeg, image/png, image/webp (stickers), audio/aac, audio/amr, audio/mpeg, audio/mp4, " +
	"audio/ogg (opus), video/mp4, video/3gpp, text/plain, application/pdf and Microsoft Office documents"

// byExtension completes what mime.TypeByExtension may not know.
var byExtension = map[string]string{
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp",
	".aac": "audio/aac", ".amr": "audio/amr", ".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".ogg": "audio/ogg",
	".opus": "audio/ogg", ".mp4": "video/mp4", ".3gp": "video/3gpp", ".txt": "text/plain", ".pdf": "application/pdf",
	".doc": "application/msword", ".xls": "application/vnd.ms-excel", ".ppt": "application/vnd.ms-powerpoint",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}

// MediaInfo is an uploaded file as POST /api/v1/media answers it.
type MediaInfo struct {
	ID       store.ID `json:"id"`
	MimeType string   `json:"mime_type"`
	Size     int64    `json:"size"`
	Filename string   `json:"filename"`
}

type mediaRow struct {
	ID         store.ID  `db:"id"`
	ChannelID  *store.ID `db:"channel_id"`
	WAMediaID  *string   `db:"wa_media_id"`
	MimeType   string    `db:"mime_type"`
	Filename   string    `db:"filename"`
	Size       int64     `db:"size"`
	State      string    `db:"state"`
	UploadedBy *store.ID `db:"uploaded_by"`
	UpdatedAt  time.Time `db:"updated_at"`
}

// mediaKind returns the message type a MIME type is sent as, and false when
// WhatsApp does not accept it.
func mediaKind(mimeType string) (mediaLimit, bool) {
	base, _, err := mime.ParseMediaType(mimeType)
	if err != nil {
		base = mimeType
	}
	l, ok := mediaLimits[strings.ToLower(strings.TrimSpace(base))]
	return l, ok
}

// compatible reports whether a file of mimeType may be sent as a message of
// type typ: documents take any accepted file; WebP images are stickers only
// (WhatsApp accepts a WebP sent as an image and fails it later).
func compatible(typ, mimeType string) bool {
	l, ok := mediaKind(mimeType)
	return ok && (typ == "document" || typ == l.kind)
}

// StoreMedia keeps a file an agent uploads to send (F26). Its type is the
// declared one (or, when none is declared, the filename's or the content's)
// and must be one WhatsApp accepts (else a validation error on "file"); its
// size must be within WhatsApp's limit for that type (else ErrTooLarge).
// Image and PDF contents must match their declared type.
func (s *Service) StoreMedia(ctx context.Context, p *auth.Principal, filename, declared string, r io.Reader) (*MediaInfo, error) {
	filename = safeFilename(filename)
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("outbound: read upload: %w", err)
	}
	head = head[:n]
	if n == 0 {
		return nil, apperr.Invalid("file", "is empty")
	}
	sniffed, _, _ := mime.ParseMediaType(http.DetectContentType(head))
	mt := ""
	if base, _, err := mime.ParseMediaType(declared); err == nil && base != "application/octet-stream" {
		mt = strings.ToLower(base)
	}
	if mt == "" {
		ext := strings.ToLower(path.Ext(filename))
		if t, ok := byExtension[ext]; ok {
			mt = t
		} else if t := mime.TypeByExtension(ext); t != "" {
			mt, _, _ = mime.ParseMediaType(t)
		} else {
			mt = sniffed
		}
	}
	lim, ok := mediaKind(mt)
	if !ok {
		return nil, apperr.Invalid("file", fmt.Sprintf("WhatsApp does not accept files of type %s; accepted: %s", mt, acceptedTypes))
	}
	if (strings.HasPrefix(mt, "image/") || mt == "application/pdf") && sniffed != mt {
		return nil, apperr.Invalid("file", fmt.Sprintf("the content is not %s", mt))
	}
	var buf bytes.Buffer
	buf.Write(head)
	if _, err := io.Copy(&buf, io.LimitReader(r, lim.max-int64(n)+1)); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, ErrTooLarge
		}
		return nil, fmt.Errorf("outbound: read upload: %w", err)
	}
	if int64(buf.Len()) > lim.max {
		return nil, fmt.Errorf("%w: %s files may have at most %d bytes", ErrTooLarge, mt, lim.max)
	}
	sum := sha256.Sum256(buf.Bytes())
	now := s.now()
	info := &MediaInfo{MimeType: mt, Size: int64(buf.Len()), Filename: filename}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.GetContext(ctx, &info.ID, s.q.MediaInsert, mt, filename, info.Size, hex.EncodeToString(sum[:]), p.ID, now, now); err != nil {
			return fmt.Errorf("outbound: insert media: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.q.BlobInsert, info.ID, buf.Bytes()); err != nil {
			return fmt.Errorf("outbound: insert media bytes: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return info, nil
}

// MediaFile is a stored file to stream.
type MediaFile struct {
	MimeType string
	Filename string
	Data     []byte
}

// OpenMedia returns a file for a caller who may see a message holding it
// (conversation visibility, F03) or who uploaded it; any other caller, and
// a file not downloaded yet, is apperr.ErrNotFound.
func (s *Service) OpenMedia(ctx context.Context, p *auth.Principal, id store.ID) (*MediaFile, error) {
	m, err := s.loadMedia(ctx, s.db.R, id)
	if err != nil {
		return nil, err
	}
	if err := s.mayUseMedia(ctx, p, m); err != nil {
		return nil, err
	}
	var data []byte
	if err := store.Get(ctx, s.db.R, &data, s.q.BlobGet, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("media %s bytes: %w", id, apperr.ErrNotFound)
		}
		return nil, fmt.Errorf("outbound: media bytes: %w", err)
	}
	return &MediaFile{MimeType: m.MimeType, Filename: m.Filename, Data: data}, nil
}

func (s *Service) loadMedia(ctx context.Context, q store.Queryer, id store.ID) (*mediaRow, error) {
	var m mediaRow
	if err := store.Get(ctx, q, &m, s.q.MediaGet, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("media %s: %w", id, apperr.ErrNotFound)
		}
		return nil, fmt.Errorf("outbound: media: %w", err)
	}
	return &m, nil
}

// mayUseMedia allows admins, the uploader, and whoever may see a
// conversation with a message holding the file.
func (s *Service) mayUseMedia(ctx context.Context, p *auth.Principal, m *mediaRow) error {
	if p.IsAdmin() || (m.UploadedBy != nil && *m.UploadedBy == p.ID) {
		return nil
	}
	var convs []store.ID
	if err := s.db.R.SelectContext(ctx, &convs, s.q.MediaConversations, m.ID); err != nil {
		return fmt.Errorf("outbound: media conversations: %w", err)
	}
	for _, c := range convs {
		if _, err := s.conv.LoadVisible(ctx, nil, p, c); err == nil {
			return nil
		} else if !errors.Is(err, apperr.ErrNotFound) {
			return err
		}
	}
	return fmt.Errorf("media %s: %w", m.ID, apperr.ErrNotFound)
}

// safeFilename keeps the last path element of a client's filename, without
// control characters or quotes, at most 200 bytes; "file" when nothing is
// left.
func safeFilename(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(name)
	var b strings.Builder
	for _, r := range name {
		if unicode.IsControl(r) || r == '"' || r == '/' || r == utf8.RuneError {
			continue
		}
		b.WriteRune(r)
	}
	out := strings.TrimSpace(b.String())
	for len(out) > 200 {
		_, size := utf8.DecodeLastRuneInString(out)
		out = out[:len(out)-size]
	}
	if out == "" || out == "." || out == ".." {
		return "file"
	}
	return out
}
