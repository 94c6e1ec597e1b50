package httpapi

import (
	"net/http"
	"time"

	"papo/internal/auth"
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token     string     `json:"token"`
	CSRFToken string     `json:"csrf_token"`
	User      *auth.User `json:"user"`
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[loginRequest](w, r)
	if err != nil {
		return err
	}
	sess, err := s.auth.Login(r.Context(), in.Email, in.Password)
	if err != nil {
		return err
	}
	s.setSessionCookies(w, sess.Token, sess.CSRFToken, int(auth.SessionTTL/time.Second))
	writeJSON(w, http.StatusOK, loginResponse{Token: sess.Token, CSRFToken: sess.CSRFToken, User: sess.User})
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if err := s.auth.Logout(r.Context(), principal(r).SessionID); err != nil {
		return err
	}
	s.setSessionCookies(w, "", "", -1)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, principal(r).User)
	return nil
}

// setSessionCookies sets (maxAge > 0) or clears (maxAge < 0) the session
// cookie, HttpOnly, and the CSRF cookie, readable by the web app so that it
// can echo it in X-CSRF-Token after a reload.
func (s *Server) setSessionCookies(w http.ResponseWriter, token, csrf string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure})
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: csrf, Path: "/", MaxAge: maxAge,
		SameSite: http.SameSiteLaxMode, Secure: s.secure})
}
