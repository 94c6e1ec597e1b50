// Package channel holds papo's WhatsApp channels: one Cloud API phone number
// each, with the team that receives its new conversations and its
// credentials, which are write-only and encrypted at rest.
package channel

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"papo/internal/apperr"
	"papo/internal/clock"
	"papo/internal/secret"
	"papo/internal/store"
)

//go:embed *.sql
var queryFS embed.FS

// Defaults of a new channel.
const (
	DefaultGraphAPIURL       = "https://graph.facebook.com"
	DefaultGraphAPIVersion   = "v23.0"
	DefaultMessagesPerSecond = 80
)

// Channel is one WhatsApp Business phone number. AccessToken and AppSecret
// are never part of it: HasAccessToken/HasAppSecret say whether they are set.
type Channel struct {
	ID                 store.ID `json:"id" db:"id"`
	Name               string   `json:"name" db:"name"`
	PhoneNumberID      string   `json:"phone_number_id" db:"phone_number_id"`
	WABAID             string   `json:"waba_id" db:"waba_id"`
	DisplayPhoneNumber string   `json:"display_phone_number" db:"display_phone_number"`
	DefaultTeamID      store.ID `json:"default_team_id" db:"default_team_id"`
	GraphAPIURL        string   `json:"graph_api_url" db:"graph_api_url"`
	GraphAPIVersion    string   `json:"graph_api_version" db:"graph_api_version"`
	VerifyToken        string   `json:"verify_token" db:"verify_token"`
	MessagesPerSecond  int      `json:"messages_per_second" db:"messages_per_second"`
	WebhookURL         string   `json:"webhook_url" db:"-"`
	HasAccessToken     bool     `json:"has_access_token" db:"-"`
	HasAppSecret       bool     `json:"has_app_secret" db:"-"`
}

type row struct {
	Channel
	AccessTokenEnc []byte `db:"access_token_enc"`
	AppSecretEnc   []byte `db:"app_secret_enc"`
}

// Credentials are a channel's secrets in clear, for the WhatsApp client and
// the webhook's signature check only. Never encode them into a response or log.
type Credentials struct {
	AccessToken string
	AppSecret   string
}

// Options configure a Service.
type Options struct {
	DB  *store.DB
	Box *secret.Box
	Now clock.Clock
	// BaseURL is papo's public URL; a channel's webhook URL hangs off it.
	BaseURL string
}

// Service manages channels. It is safe for concurrent use.
type Service struct {
	db      *store.DB
	box     *secret.Box
	now     clock.Clock
	baseURL string
	q       struct {
		List          string `query:"list-channels"`
		Get           string `query:"get-channel"`
		ByPhoneNumber string `query:"get-channel-by-phone-number-id"`
		Insert        string `query:"insert-channel"`
		Update        string `query:"update-channel"`
		TeamExists    string `query:"team-exists"`
		// health.go (F29)
		Health       string `query:"channel-health"`
		FailedSince  string `query:"channel-failed-messages-since"`
		SendAccepted string `query:"channel-send-accepted"`
		GraphError   string `query:"channel-graph-error"`
	}
}

// New returns a Service.
func New(o Options) (*Service, error) {
	if o.Box == nil {
		return nil, errors.New("channel: a secret box is required")
	}
	s := &Service{db: o.DB, box: o.Box, now: o.Now, baseURL: strings.TrimRight(o.BaseURL, "/")}
	if s.now == nil {
		s.now = clock.Real
	}
	if err := store.LoadQueries(queryFS, o.DB.Dialect, &s.q); err != nil {
		return nil, fmt.Errorf("channel: %w", err)
	}
	return s, nil
}

// WebhookPath is where WhatsApp posts to papo.
const WebhookPath = "/webhooks/whatsapp"

func (s *Service) present(r *row) *Channel {
	c := r.Channel
	c.WebhookURL = s.baseURL + WebhookPath
	c.HasAccessToken = len(r.AccessTokenEnc) > 0
	c.HasAppSecret = len(r.AppSecretEnc) > 0
	return &c
}

// List returns every channel.
func (s *Service) List(ctx context.Context) ([]Channel, error) {
	var rows []row
	if err := s.db.R.SelectContext(ctx, &rows, s.q.List); err != nil {
		return nil, fmt.Errorf("channel: list: %w", err)
	}
	out := make([]Channel, len(rows))
	for i := range rows {
		out[i] = *s.present(&rows[i])
	}
	return out, nil
}

// Get returns one channel.
func (s *Service) Get(ctx context.Context, id store.ID) (*Channel, error) {
	r, err := s.get(ctx, s.db.R, s.q.Get, id)
	if err != nil {
		return nil, err
	}
	return s.present(r), nil
}

// ByPhoneNumberID returns the channel of a Cloud API phone_number_id.
func (s *Service) ByPhoneNumberID(ctx context.Context, id string) (*Channel, error) {
	r, err := s.get(ctx, s.db.R, s.q.ByPhoneNumber, id)
	if err != nil {
		return nil, err
	}
	return s.present(r), nil
}

// Credentials decrypts a channel's secrets.
func (s *Service) Credentials(ctx context.Context, id store.ID) (*Credentials, error) {
	r, err := s.get(ctx, s.db.R, s.q.Get, id)
	if err != nil {
		return nil, err
	}
	return s.open(r)
}

// AllCredentials returns every channel with its decrypted secrets: the
// webhook checks a signature against each distinct app secret.
func (s *Service) AllCredentials(ctx context.Context) (map[store.ID]*Credentials, error) {
	var rows []row
	if err := s.db.R.SelectContext(ctx, &rows, s.q.List); err != nil {
		return nil, fmt.Errorf("channel: list: %w", err)
	}
	out := make(map[store.ID]*Credentials, len(rows))
	for i := range rows {
		c, err := s.open(&rows[i])
		if err != nil {
			return nil, err
		}
		out[rows[i].ID] = c
	}
	return out, nil
}

func (s *Service) open(r *row) (*Credentials, error) {
	var c Credentials
	if len(r.AccessTokenEnc) > 0 {
		b, err := s.box.Open(r.AccessTokenEnc)
		if err != nil {
			return nil, fmt.Errorf("channel %s access token: %w", r.ID, err)
		}
		c.AccessToken = string(b)
	}
	if len(r.AppSecretEnc) > 0 {
		b, err := s.box.Open(r.AppSecretEnc)
		if err != nil {
			return nil, fmt.Errorf("channel %s app secret: %w", r.ID, err)
		}
		c.AppSecret = string(b)
	}
	return &c, nil
}

func (s *Service) get(ctx context.Context, q store.Queryer, query string, arg any) (*row, error) {
	var r row
	if err := store.Get(ctx, q, &r, query, arg); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("channel %v: %w", arg, apperr.ErrNotFound)
		}
		return nil, fmt.Errorf("channel: get: %w", err)
	}
	return &r, nil
}

// Input creates a channel or (fields not nil) changes one. AccessToken and
// AppSecret are set when given; an empty string clears them.
type Input struct {
	Name               *string
	PhoneNumberID      *string
	WABAID             *string
	DisplayPhoneNumber *string
	DefaultTeamID      *store.ID
	GraphAPIURL        *string
	GraphAPIVersion    *string
	VerifyToken        *string
	MessagesPerSecond  *int
	AccessToken        *string
	AppSecret          *string
}

// Create adds a channel. A phone_number_id already used is apperr.ErrConflict.
func (s *Service) Create(ctx context.Context, in Input) (*Channel, error) {
	r := row{Channel: Channel{
		GraphAPIURL:       DefaultGraphAPIURL,
		GraphAPIVersion:   DefaultGraphAPIVersion,
		MessagesPerSecond: DefaultMessagesPerSecond,
		VerifyToken:       randomToken(),
	}}
	for _, p := range []**string{&in.Name, &in.PhoneNumberID} {
		if *p == nil {
			*p = new(string)
		}
	}
	if in.DefaultTeamID == nil {
		in.DefaultTeamID = new(store.ID)
	}
	var out *Channel
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := s.apply(ctx, tx, &r, in); err != nil {
			return err
		}
		now := s.now()
		if err := tx.GetContext(ctx, &r.ID, s.q.Insert, r.Name, r.PhoneNumberID, r.WABAID, r.DisplayPhoneNumber,
			r.DefaultTeamID, r.GraphAPIURL, r.GraphAPIVersion, r.VerifyToken, r.MessagesPerSecond,
			r.AccessTokenEnc, r.AppSecretEnc, now, now); err != nil {
			if store.IsUniqueViolation(err) {
				return apperr.New(apperr.ErrConflict, "Another channel already uses this phone_number_id.")
			}
			return fmt.Errorf("channel: insert: %w", err)
		}
		out = s.present(&r)
		return nil
	})
	return out, err
}

// Update changes a channel.
func (s *Service) Update(ctx context.Context, id store.ID, in Input) (*Channel, error) {
	var out *Channel
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.get(ctx, tx, s.q.Get, id)
		if err != nil {
			return err
		}
		if err := s.apply(ctx, tx, r, in); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q.Update, r.Name, r.PhoneNumberID, r.WABAID, r.DisplayPhoneNumber,
			r.DefaultTeamID, r.GraphAPIURL, r.GraphAPIVersion, r.VerifyToken, r.MessagesPerSecond,
			r.AccessTokenEnc, r.AppSecretEnc, s.now(), id); err != nil {
			if store.IsUniqueViolation(err) {
				return apperr.New(apperr.ErrConflict, "Another channel already uses this phone_number_id.")
			}
			return fmt.Errorf("channel: update: %w", err)
		}
		out = s.present(r)
		return nil
	})
	return out, err
}

var (
	digits  = regexp.MustCompile(`^[0-9]{1,32}$`)
	version = regexp.MustCompile(`^v[0-9]{1,3}\.[0-9]{1,2}$`)
)

func (s *Service) apply(ctx context.Context, tx *store.Tx, r *row, in Input) error {
	f := apperr.Fields{}
	text := func(field string, dst *string, src *string, required bool, max int) {
		if src == nil {
			return
		}
		*dst = strings.TrimSpace(*src)
		switch {
		case required && *dst == "":
			f.Add(field, "required")
		case utf8.RuneCountInString(*dst) > max:
			f.Add(field, fmt.Sprintf("too long (%d characters at most)", max))
		}
	}
	text("name", &r.Name, in.Name, true, 100)
	text("phone_number_id", &r.PhoneNumberID, in.PhoneNumberID, true, 32)
	if in.PhoneNumberID != nil && r.PhoneNumberID != "" && !digits.MatchString(r.PhoneNumberID) {
		f.Add("phone_number_id", "digits only")
	}
	text("waba_id", &r.WABAID, in.WABAID, false, 32)
	if r.WABAID != "" && !digits.MatchString(r.WABAID) {
		f.Add("waba_id", "digits only")
	}
	text("display_phone_number", &r.DisplayPhoneNumber, in.DisplayPhoneNumber, false, 32)
	text("graph_api_url", &r.GraphAPIURL, in.GraphAPIURL, true, 500)
	if in.GraphAPIURL != nil {
		u, err := url.Parse(r.GraphAPIURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" {
			f.Add("graph_api_url", "must be an http(s) URL without query")
		}
		r.GraphAPIURL = strings.TrimRight(r.GraphAPIURL, "/")
	}
	text("graph_api_version", &r.GraphAPIVersion, in.GraphAPIVersion, true, 10)
	if in.GraphAPIVersion != nil && !version.MatchString(r.GraphAPIVersion) {
		f.Add("graph_api_version", "like v23.0")
	}
	text("verify_token", &r.VerifyToken, in.VerifyToken, true, 200)
	if in.MessagesPerSecond != nil {
		r.MessagesPerSecond = *in.MessagesPerSecond
		if r.MessagesPerSecond < 1 || r.MessagesPerSecond > 1000 {
			f.Add("messages_per_second", "between 1 and 1000")
		}
	}
	if in.DefaultTeamID != nil {
		r.DefaultTeamID = *in.DefaultTeamID
		var ok bool
		if r.DefaultTeamID > 0 {
			if err := tx.GetContext(ctx, &ok, s.q.TeamExists, r.DefaultTeamID); err != nil {
				return fmt.Errorf("channel: check team: %w", err)
			}
		}
		if !ok {
			f.Add("default_team_id", "unknown team")
		}
	}
	seal := func(field string, dst *[]byte, src *string) {
		if src == nil {
			return
		}
		v := strings.TrimSpace(*src)
		switch {
		case v == "":
			*dst = nil
		case len(v) > 1024:
			f.Add(field, "too long")
		default:
			*dst = s.box.Seal([]byte(v))
		}
	}
	seal("access_token", &r.AccessTokenEnc, in.AccessToken)
	seal("app_secret", &r.AppSecretEnc, in.AppSecret)
	return f.Err()
}

func randomToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
