// Package auth holds papo's accounts: users and their roles and teams,
// password hashing (argon2id), sessions and API tokens, the CSRF token of
// cookie sessions, and the slowing of repeated failed logins.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"papo/internal/apperr"
	"papo/internal/clock"
	"papo/internal/store"
)

//go:embed *.sql
var queryFS embed.FS

// Role is what a user may do: admins configure and see every team; agents
// work the conversations of their teams.
type Role string

// The roles.
const (
	RoleAdmin Role = "admin"
	RoleAgent Role = "agent"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleAgent }

// User is an account, as the API shows it (never with its password).
type User struct {
	ID      store.ID   `json:"id" db:"id"`
	Name    string     `json:"name" db:"name"`
	Email   string     `json:"email" db:"email"`
	Role    Role       `json:"role" db:"role"`
	TeamIDs []store.ID `json:"team_ids" db:"-"`
	Active  bool       `json:"active" db:"active"`
}

// Principal is the authenticated caller of a request.
type Principal struct {
	User
	SessionID store.ID
	// CSRFToken is the token cookie-authenticated unsafe requests must echo.
	CSRFToken string
}

// IsAdmin reports whether the caller is an admin.
func (p *Principal) IsAdmin() bool { return p != nil && p.Role == RoleAdmin }

// InTeam reports whether the caller belongs to team id.
func (p *Principal) InTeam(id store.ID) bool { return p != nil && slices.Contains(p.TeamIDs, id) }

// Limits of the login throttle (api.md: 10 failures in 15 minutes, then at
// most 60 s of waiting at a time, so the real person can try again soon).
const (
	maxFailures    = 10
	failureWindow  = 15 * time.Minute
	lockoutPerStep = 60 * time.Second
	// SessionTTL is how long an unused session lives; use extends it.
	SessionTTL = 30 * 24 * time.Hour
	// touchEvery bounds how often a session's last use is written, so that
	// authenticating a request is a read, not a write.
	touchEvery = time.Minute
)

// Options configure a Service.
type Options struct {
	DB   *store.DB
	Log  *slog.Logger
	Now  clock.Clock
	Hash HashParams // zero value: DefaultHashParams
}

// Service manages users and sessions. It is safe for concurrent use.
type Service struct {
	db    *store.DB
	log   *slog.Logger
	now   clock.Clock
	hash  HashParams
	dummy string // a hash checked for unknown e-mails, so timing leaks nothing
	q     queries
}

type queries struct {
	InsertUser          string `query:"insert-user"`
	GetUser             string `query:"get-user"`
	GetUserByEmail      string `query:"get-user-by-email"`
	ListUsers           string `query:"list-users"`
	ListUsersInTeams    string `query:"list-users-in-teams"`
	CountUsers          string `query:"count-users"`
	UpdateUser          string `query:"update-user"`
	UserTeamIDs         string `query:"user-team-ids"`
	AllUserTeamIDs      string `query:"all-user-team-ids"`
	DeleteUserTeams     string `query:"delete-user-teams"`
	InsertUserTeam      string `query:"insert-user-team"`
	CountTeamsIn        string `query:"count-teams-in,in"`
	InsertSession       string `query:"insert-session"`
	GetSession          string `query:"get-session"`
	TouchSession        string `query:"touch-session"`
	DeleteSession       string `query:"delete-session"`
	DeleteUserSessions  string `query:"delete-user-sessions"`
	DeleteExpired       string `query:"delete-expired-sessions"`
	RecentLoginFailures string `query:"recent-login-failures"`
	InsertLoginFailure  string `query:"insert-login-failure"`
	PruneLoginFailures  string `query:"prune-login-failures"`
	ClearLoginFailures  string `query:"clear-login-failures"`
}

// New returns a Service.
func New(o Options) (*Service, error) {
	s := &Service{db: o.DB, log: o.Log, now: o.Now, hash: o.Hash}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = clock.Real
	}
	if s.hash == (HashParams{}) {
		s.hash = DefaultHashParams
	}
	if err := store.LoadQueries(queryFS, o.DB.Dialect, &s.q); err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	d, err := hashPassword(hex.EncodeToString(b[:]), s.hash)
	if err != nil {
		return nil, err
	}
	s.dummy = d
	return s, nil
}

type userRow struct {
	User
	PasswordHash string `db:"password_hash"`
}

// ---- users ----

// CreateUserInput is what POST /users and `papo user create` take.
type CreateUserInput struct {
	Name     string
	Email    string
	Role     Role
	Password string
	TeamIDs  []store.ID
}

// CreateUser adds an account. A taken e-mail is apperr.ErrConflict.
func (s *Service) CreateUser(ctx context.Context, in CreateUserInput) (*User, error) {
	f := apperr.Fields{}
	in.Name = strings.TrimSpace(in.Name)
	email, err := NormalizeEmail(in.Email)
	if err != nil {
		f.Add("email", err.Error())
	}
	checkName(f, in.Name)
	if !in.Role.Valid() {
		f.Add("role", "must be admin or agent")
	}
	checkPasswordRules(f, in.Password)
	if err := f.Err(); err != nil {
		return nil, err
	}
	hash, err := hashPassword(in.Password, s.hash)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var id store.ID
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := s.checkTeams(ctx, tx, in.TeamIDs); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &id, s.q.InsertUser, in.Name, email, in.Role, hash, true, now, now); err != nil {
			if store.IsUniqueViolation(err) {
				return apperr.New(apperr.ErrConflict, "This e-mail is already in use.")
			}
			return fmt.Errorf("auth: insert user: %w", err)
		}
		return s.setTeams(ctx, tx, id, in.TeamIDs)
	})
	if err != nil {
		return nil, err
	}
	return s.GetUser(ctx, id)
}

// UpdateUserInput changes the fields that are not nil.
type UpdateUserInput struct {
	Name     *string
	Email    *string
	Role     *Role
	Password *string
	TeamIDs  *[]store.ID
	Active   *bool
}

// UpdateUser changes an account. Deactivating ends all its sessions at once;
// its conversations stay assigned until someone reassigns them.
func (s *Service) UpdateUser(ctx context.Context, id store.ID, in UpdateUserInput) (*User, error) {
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var u userRow
		if err := store.Get(ctx, tx, &u, s.q.GetUser, id); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("auth: user %s: %w", id, apperr.ErrNotFound)
			}
			return fmt.Errorf("auth: get user: %w", err)
		}
		f := apperr.Fields{}
		if in.Name != nil {
			u.Name = strings.TrimSpace(*in.Name)
			checkName(f, u.Name)
		}
		if in.Email != nil {
			e, err := NormalizeEmail(*in.Email)
			if err != nil {
				f.Add("email", err.Error())
			}
			u.Email = e
		}
		if in.Role != nil {
			if !in.Role.Valid() {
				f.Add("role", "must be admin or agent")
			}
			u.Role = *in.Role
		}
		if in.Password != nil {
			checkPasswordRules(f, *in.Password)
		}
		if err := f.Err(); err != nil {
			return err
		}
		if in.Password != nil {
			h, err := hashPassword(*in.Password, s.hash)
			if err != nil {
				return err
			}
			u.PasswordHash = h
		}
		endSessions := false
		if in.Active != nil {
			endSessions = u.Active && !*in.Active
			u.Active = *in.Active
		}
		if _, err := tx.ExecContext(ctx, s.q.UpdateUser, u.Name, u.Email, u.Role, u.PasswordHash, u.Active, s.now(), id); err != nil {
			if store.IsUniqueViolation(err) {
				return apperr.New(apperr.ErrConflict, "This e-mail is already in use.")
			}
			return fmt.Errorf("auth: update user: %w", err)
		}
		if in.TeamIDs != nil {
			if err := s.checkTeams(ctx, tx, *in.TeamIDs); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q.DeleteUserTeams, id); err != nil {
				return fmt.Errorf("auth: update teams: %w", err)
			}
			if err := s.setTeams(ctx, tx, id, *in.TeamIDs); err != nil {
				return err
			}
		}
		if endSessions || in.Password != nil {
			if _, err := tx.ExecContext(ctx, s.q.DeleteUserSessions, id); err != nil {
				return fmt.Errorf("auth: end sessions: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.GetUser(ctx, id)
}

// GetUser returns one account; apperr.ErrNotFound when there is none.
func (s *Service) GetUser(ctx context.Context, id store.ID) (*User, error) {
	var u userRow
	if err := store.Get(ctx, s.db.R, &u, s.q.GetUser, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("auth: user %s: %w", id, apperr.ErrNotFound)
		}
		return nil, fmt.Errorf("auth: get user: %w", err)
	}
	teams, err := s.teamIDs(ctx, s.db.R, id)
	if err != nil {
		return nil, err
	}
	u.TeamIDs = teams
	return &u.User, nil
}

// GetUserByEmail returns the account with that e-mail.
func (s *Service) GetUserByEmail(ctx context.Context, email string) (*User, error) {
	var u userRow
	if err := store.Get(ctx, s.db.R, &u, s.q.GetUserByEmail, strings.ToLower(strings.TrimSpace(email))); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("auth: user %q: %w", email, apperr.ErrNotFound)
		}
		return nil, fmt.Errorf("auth: get user: %w", err)
	}
	return s.GetUser(ctx, u.ID)
}

// ListUsers returns the accounts the caller may see: admins all, agents
// the members of their own teams.
func (s *Service) ListUsers(ctx context.Context, p *Principal) ([]User, error) {
	var rows []userRow
	var err error
	if p.IsAdmin() {
		err = s.db.R.SelectContext(ctx, &rows, s.q.ListUsers)
	} else {
		err = s.db.R.SelectContext(ctx, &rows, s.q.ListUsersInTeams, p.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("auth: list users: %w", err)
	}
	var links []struct {
		UserID store.ID `db:"user_id"`
		TeamID store.ID `db:"team_id"`
	}
	if err := s.db.R.SelectContext(ctx, &links, s.q.AllUserTeamIDs); err != nil {
		return nil, fmt.Errorf("auth: list user teams: %w", err)
	}
	byUser := map[store.ID][]store.ID{}
	for _, l := range links {
		byUser[l.UserID] = append(byUser[l.UserID], l.TeamID)
	}
	out := make([]User, len(rows))
	for i, r := range rows {
		out[i] = r.User
		out[i].TeamIDs = byUser[r.ID]
		if out[i].TeamIDs == nil {
			out[i].TeamIDs = []store.ID{}
		}
	}
	return out, nil
}

// CountUsers returns how many accounts exist.
func (s *Service) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.db.R.GetContext(ctx, &n, s.q.CountUsers); err != nil {
		return 0, fmt.Errorf("auth: count users: %w", err)
	}
	return n, nil
}

func (s *Service) teamIDs(ctx context.Context, q store.Queryer, userID store.ID) ([]store.ID, error) {
	ids := []store.ID{}
	if err := q.SelectContext(ctx, &ids, s.q.UserTeamIDs, userID); err != nil {
		return nil, fmt.Errorf("auth: user teams: %w", err)
	}
	return ids, nil
}

func (s *Service) checkTeams(ctx context.Context, tx *store.Tx, ids []store.ID) error {
	ids = dedupe(ids)
	if len(ids) == 0 {
		return nil
	}
	q, args, err := s.db.In(s.q.CountTeamsIn, ids)
	if err != nil {
		return err
	}
	var n int
	if err := tx.GetContext(ctx, &n, q, args...); err != nil {
		return fmt.Errorf("auth: check teams: %w", err)
	}
	if n != len(ids) {
		return apperr.Invalid("team_ids", "unknown team")
	}
	return nil
}

func (s *Service) setTeams(ctx context.Context, tx *store.Tx, userID store.ID, ids []store.ID) error {
	for _, t := range dedupe(ids) {
		if _, err := tx.ExecContext(ctx, s.q.InsertUserTeam, userID, t); err != nil {
			return fmt.Errorf("auth: add user to team: %w", err)
		}
	}
	return nil
}

func dedupe(ids []store.ID) []store.ID {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// NormalizeEmail checks an address and returns it lowercased.
func NormalizeEmail(raw string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(raw))
	if e == "" {
		return "", errors.New("required")
	}
	if len(e) > 254 {
		return "", errors.New("too long")
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e {
		return "", errors.New("not a valid e-mail address")
	}
	return e, nil
}

func checkName(f apperr.Fields, name string) {
	switch {
	case name == "":
		f.Add("name", "required")
	case utf8.RuneCountInString(name) > 200:
		f.Add("name", "too long (200 characters at most)")
	}
}

func checkPasswordRules(f apperr.Fields, pw string) {
	switch {
	case pw == "":
		f.Add("password", "required")
	case utf8.RuneCountInString(pw) < 8:
		f.Add("password", "too short (8 characters at least)")
	case len(pw) > 256:
		f.Add("password", "too long (256 bytes at most)")
	}
}

// ---- sessions ----

// Session is what a successful login returns. Token is shown once; only its
// hash is stored.
type Session struct {
	Token     string
	CSRFToken string
	User      *User
}

// Login checks credentials and opens a session. Unknown e-mail and wrong
// password give the same apperr.ErrUnauthenticated; after 10 failures for
// one e-mail within 15 minutes, attempts are refused with a
// *apperr.RateLimitedError for up to 60 s at a time.
func (s *Service) Login(ctx context.Context, email, password string) (*Session, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	now := s.now()
	if len(email) > 254 || len(password) > 256 {
		return nil, fmt.Errorf("auth: login: %w", apperr.ErrUnauthenticated)
	}
	var recent []time.Time // newest first
	if err := s.db.R.SelectContext(ctx, &recent, s.q.RecentLoginFailures, email, now.Add(-failureWindow), maxFailures); err != nil {
		return nil, fmt.Errorf("auth: login throttle: %w", err)
	}
	if len(recent) >= maxFailures {
		if wait := lockoutPerStep - now.Sub(recent[0]); wait > 0 {
			return nil, &apperr.RateLimitedError{RetryAfter: wait}
		}
	}
	var u userRow
	err := store.Get(ctx, s.db.R, &u, s.q.GetUserByEmail, email)
	ok := false
	switch {
	case err == nil:
		ok, err = verifyPassword(password, u.PasswordHash)
		if err != nil {
			s.log.Error("password hash unreadable", "user_id", u.ID, "err", err)
			ok = false
		}
		ok = ok && u.Active
	case errors.Is(err, store.ErrNotFound):
		_, _ = verifyPassword(password, s.dummy)
	default:
		return nil, fmt.Errorf("auth: login: %w", err)
	}
	if !ok {
		if err := s.db.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.ExecContext(ctx, s.q.PruneLoginFailures, email, now.Add(-failureWindow)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, s.q.InsertLoginFailure, email, now)
			return err
		}); err != nil {
			return nil, fmt.Errorf("auth: record login failure: %w", err)
		}
		return nil, fmt.Errorf("auth: login: %w", apperr.ErrUnauthenticated)
	}
	token, csrf := randomToken(), randomToken()
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if len(recent) > 0 {
			if _, err := tx.ExecContext(ctx, s.q.ClearLoginFailures, email); err != nil {
				return err
			}
		}
		var id store.ID
		return tx.GetContext(ctx, &id, s.q.InsertSession, hashToken(token), csrf, u.ID, now, now, now.Add(SessionTTL))
	})
	if err != nil {
		return nil, fmt.Errorf("auth: open session: %w", err)
	}
	user, err := s.GetUser(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	return &Session{Token: token, CSRFToken: csrf, User: user}, nil
}

// Authenticate returns the principal of a session token, or
// apperr.ErrUnauthenticated when the token is unknown, expired, or its user
// deactivated.
func (s *Service) Authenticate(ctx context.Context, token string) (*Principal, error) {
	if token == "" || len(token) > 200 {
		return nil, fmt.Errorf("auth: %w", apperr.ErrUnauthenticated)
	}
	now := s.now()
	var row struct {
		ID         store.ID  `db:"id"`
		CSRFToken  string    `db:"csrf_token"`
		LastSeenAt time.Time `db:"last_seen_at"`
		UserID     store.ID  `db:"user_id"`
		Name       string    `db:"name"`
		Email      string    `db:"email"`
		Role       Role      `db:"role"`
		Active     bool      `db:"active"`
	}
	if err := store.Get(ctx, s.db.R, &row, s.q.GetSession, hashToken(token), now); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("auth: %w", apperr.ErrUnauthenticated)
		}
		return nil, fmt.Errorf("auth: authenticate: %w", err)
	}
	teams, err := s.teamIDs(ctx, s.db.R, row.UserID)
	if err != nil {
		return nil, err
	}
	if now.Sub(row.LastSeenAt) > touchEvery {
		if _, err := s.db.W.ExecContext(ctx, s.q.TouchSession, now, now.Add(SessionTTL), row.ID); err != nil {
			s.log.Warn("session touch failed", "session_id", row.ID, "err", err)
		}
	}
	return &Principal{
		User:      User{ID: row.UserID, Name: row.Name, Email: row.Email, Role: row.Role, Active: row.Active, TeamIDs: teams},
		SessionID: row.ID,
		CSRFToken: row.CSRFToken,
	}, nil
}

// Logout ends one session.
func (s *Service) Logout(ctx context.Context, sessionID store.ID) error {
	if _, err := s.db.W.ExecContext(ctx, s.q.DeleteSession, sessionID); err != nil {
		return fmt.Errorf("auth: logout: %w", err)
	}
	return nil
}

// PurgeExpiredSessions deletes sessions past their expiry.
func (s *Service) PurgeExpiredSessions(ctx context.Context) error {
	if _, err := s.db.W.ExecContext(ctx, s.q.DeleteExpired, s.now()); err != nil {
		return fmt.Errorf("auth: purge sessions: %w", err)
	}
	return nil
}

// EnsureUser creates the account unless one with that e-mail exists; it
// reports whether it created one. `papo user create` and PAPO_ADMIN_* use
// it, so running either twice is harmless.
func (s *Service) EnsureUser(ctx context.Context, in CreateUserInput) (*User, bool, error) {
	if e, err := NormalizeEmail(in.Email); err == nil {
		if u, err := s.GetUserByEmail(ctx, e); err == nil {
			return u, false, nil
		}
	}
	u, err := s.CreateUser(ctx, in)
	if errors.Is(err, apperr.ErrConflict) { // created by a racing instance
		u, err = s.GetUserByEmail(ctx, in.Email)
		return u, false, err
	}
	return u, err == nil, err
}

func randomToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("auth: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}
