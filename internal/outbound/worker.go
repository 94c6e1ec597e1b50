package outbound

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"papo/internal/apperr"
	"papo/internal/jobs"
	"papo/internal/message"
	"papo/internal/store"
	"papo/internal/whatsapp"
)

// papo's own failure codes (api.md: the WhatsApp code as a string, or
// papo's own).
const (
	CodeNotConfigured   = "channel_not_configured"
	CodeNoRecipient     = "no_recipient"
	CodeTemplateInvalid = "template_invalid"
	CodeMediaMissing    = "media_missing"
	CodeTargetUnsent    = "reaction_target_unsent"
	CodeInvalidRequest  = "invalid_request"
	CodeUnreachable     = "whatsapp_unreachable"
)

// failure is a send that cannot succeed as it is: the message fails at
// once with this code and reason.
type failure struct {
	code, reason string
}

func (f *failure) Error() string { return "outbound: " + f.code + ": " + f.reason }

// sendMemo is a Graph answer whose commit failed: the retry commits it
// without sending again.
type sendMemo struct {
	res whatsapp.SendResult
}

// pollOrder and maxOrderPoll pace the wait for earlier messages of a
// conversation inside one run of a job, before it is snoozed instead.
const (
	pollOrder    = 100 * time.Millisecond
	maxOrderPoll = 5 * time.Second
	// maxPairSleep is the longest a job sleeps for its recipient's pair
	// limit; longer waits snooze it.
	maxPairSleep = 2 * time.Second
	// reuploadAfter is when an uploaded file's WhatsApp id (valid ~30 days)
	// is no longer reused.
	reuploadAfter = 25 * 24 * time.Hour
)

// logger is what the worker logs through (a *slog.Logger with the job's
// attributes).
type logger interface {
	Warn(msg string, args ...any)
}

type sendWorker struct {
	river.WorkerDefaults[SendArgs]
	s *Service
}

func (w *sendWorker) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	return w.s.work(ctx, job)
}

// NextRetry uses the delay the failed run decided (from WhatsApp's error
// code), River's default otherwise (after a restart).
func (w *sendWorker) NextRetry(job *river.Job[SendArgs]) time.Time {
	if d, ok := w.s.takeWait(job.ID); ok {
		return w.s.limits.wall().Add(d)
	}
	return time.Time{}
}

func (s *Service) work(ctx context.Context, job *river.Job[SendArgs]) error {
	id := job.Args.MessageID
	log := s.log.With("message_id", id, "job_id", job.ID, "attempt", job.Attempt)
	m, err := s.messages.Load(ctx, nil, id)
	if errors.Is(err, apperr.ErrNotFound) {
		log.Warn("send job for a message that does not exist")
		return nil
	}
	if err != nil {
		return err
	}
	if m.Direction != message.DirectionOut || m.Status != message.StatusQueued || m.WAMessageID != nil {
		return nil // sent (or failed) by an earlier run: never send twice
	}
	if memo, ok := s.takeMemo(id); ok {
		return s.commitSent(ctx, log, m, memo.res)
	}
	if job.Attempt > 1 && len(job.Errors) > 0 && strings.Contains(job.Errors[len(job.Errors)-1].Error, "rescued") {
		log.Warn("retrying a send whose worker stopped mid-send (crash or restart): if WhatsApp accepted it, the customer gets this message twice")
	}
	c, err := s.contacts.GetContact(ctx, nil, m.ContactID)
	if err != nil {
		return err
	}
	if c.WaID == "" {
		return s.fail(ctx, log, m, &failure{CodeNoRecipient, s.text("O contato não tem um número de WhatsApp para receber a mensagem.", "The contact has no WhatsApp number to send to.")})
	}
	cl, err := s.client(ctx, m.ChannelID, false)
	if errors.Is(err, errNoToken) || errors.Is(err, apperr.ErrConflict) {
		return s.fail(ctx, log, m, &failure{CodeNotConfigured, s.text(
			"O canal não tem um token de acesso válido configurado. Um administrador precisa configurá-lo.",
			"The channel has no valid access token configured. An administrator must set it.")})
	}
	if err != nil {
		return err
	}

	// One send at a time per recipient, in the conversation's order.
	key := cl.ch.PhoneNumberID + ":" + c.WaID
	unlock, err := s.limits.lock(ctx, key)
	if err != nil {
		return err
	}
	defer func() { unlock() }()
	for waited := time.Duration(0); ; waited += pollOrder {
		var earlier bool
		if err := s.db.R.GetContext(ctx, &earlier, s.q.EarlierQueued, m.ConversationID, m.ID, s.now().Add(-s.limits.p.OrderWait)); err != nil {
			return fmt.Errorf("outbound: order check: %w", err)
		}
		if !earlier {
			break
		}
		if waited >= maxOrderPoll {
			return river.JobSnooze(time.Second)
		}
		unlock()
		unlock = func() {} // released: the deferred call must not release it again
		if err := sleep(ctx, pollOrder); err != nil {
			return err
		}
		relock, err := s.limits.lock(ctx, key)
		if err != nil {
			return err
		}
		unlock = relock
	}
	pair := s.limits.pairBucket(cl.ch.PhoneNumberID, c.WaID)
	if d := pair.wouldWait(s.limits.wall()); d > maxPairSleep {
		return river.JobSnooze(d)
	}
	if err := s.limits.wait(ctx, pair); err != nil {
		return err
	}
	if err := s.limits.wait(ctx, s.limits.phoneBucket(cl.ch.PhoneNumberID, cl.ch.MessagesPerSecond)); err != nil {
		pair.cancel()
		return err
	}
	res, err := s.deliver(ctx, cl, m, c.WaID)
	if err != nil {
		return s.sendFailed(ctx, log, job.JobRow, m, err)
	}
	return s.commitSent(ctx, log, m, res)
}

// deliver makes the Graph API call for a message.
func (s *Service) deliver(ctx context.Context, cl *cachedClient, m *message.Row, to string) (whatsapp.SendResult, error) {
	replyTo := ""
	if m.ReplyToID != nil {
		var wa *string
		if err := s.db.R.GetContext(ctx, &wa, s.q.MessageWaID, *m.ReplyToID); err != nil {
			return whatsapp.SendResult{}, fmt.Errorf("outbound: quoted message: %w", err)
		}
		if wa != nil {
			replyTo = *wa
		}
	}
	switch m.Type {
	case TypeText:
		return cl.wa.SendText(ctx, to, m.Text, replyTo, strings.Contains(m.Text, "://"))
	case TypeImage, TypeAudio, TypeVideo, TypeDocument, TypeSticker:
		if m.MediaID == nil {
			return whatsapp.SendResult{}, &failure{CodeMediaMissing, s.text("O arquivo da mensagem não existe mais.", "The message's file no longer exists.")}
		}
		waMedia, filename, err := s.uploaded(ctx, cl, *m.MediaID)
		if err != nil {
			return whatsapp.SendResult{}, err
		}
		return cl.wa.SendMedia(ctx, to, m.Type, waMedia, m.Text, filename, replyTo)
	case TypeReaction:
		var p struct {
			MessageID store.ID `json:"message_id"`
			Emoji     string   `json:"emoji"`
		}
		if err := json.Unmarshal([]byte(m.Payload), &p); err != nil {
			return whatsapp.SendResult{}, &failure{CodeInvalidRequest, "stored reaction is unreadable"}
		}
		var wa *string
		if err := s.db.R.GetContext(ctx, &wa, s.q.MessageWaID, p.MessageID); err != nil || wa == nil {
			return whatsapp.SendResult{}, &failure{CodeTargetUnsent, s.text(
				"A mensagem que recebeu a reação não foi enviada ao WhatsApp.", "The message reacted to never reached WhatsApp.")}
		}
		return cl.wa.SendReaction(ctx, to, *wa, p.Emoji)
	case TypeTemplate:
		var p struct {
			Name       string          `json:"name"`
			Language   string          `json:"language"`
			Parameters json.RawMessage `json:"parameters"`
		}
		if err := json.Unmarshal([]byte(m.Payload), &p); err != nil {
			return whatsapp.SendResult{}, &failure{CodeInvalidRequest, "stored template message is unreadable"}
		}
		pos, named, err := ParseParameters(p.Parameters)
		if err != nil {
			return whatsapp.SendResult{}, &failure{CodeTemplateInvalid, err.Error()}
		}
		r, err := s.findTemplate(ctx, nil, m.ChannelID, p.Name, p.Language)
		if err != nil {
			if _, ok := errors.AsType[*apperr.ValidationError](err); ok {
				return whatsapp.SendResult{}, &failure{CodeTemplateInvalid, s.text(
					"O modelo de mensagem não existe mais neste canal.", "The message template no longer exists on this channel.")}
			}
			return whatsapp.SendResult{}, err
		}
		t, err := r.wa()
		if err != nil {
			return whatsapp.SendResult{}, err
		}
		comps, err := whatsapp.BuildComponents(t, pos, named)
		if err != nil {
			return whatsapp.SendResult{}, &failure{CodeTemplateInvalid, s.text(
				"Os parâmetros não correspondem mais ao modelo de mensagem: ", "The parameters no longer fit the message template: ") + err.Error()}
		}
		msg := whatsapp.OutgoingMessage{To: to, Type: whatsapp.TypeTemplate,
			Template: &whatsapp.OutgoingTemplate{Name: t.Name, Language: whatsapp.TemplateLanguage{Code: t.Language}, Components: comps}}
		if replyTo != "" {
			msg.Context = &whatsapp.ReplyContext{MessageID: replyTo}
		}
		return cl.wa.Send(ctx, msg)
	}
	return whatsapp.SendResult{}, &failure{CodeInvalidRequest, "papo cannot send messages of type " + m.Type}
}

// uploaded returns the WhatsApp media id of a stored file for a channel,
// uploading its bytes first unless a recent upload to that channel exists.
func (s *Service) uploaded(ctx context.Context, cl *cachedClient, mediaID store.ID) (waID, filename string, err error) {
	md, err := s.loadMedia(ctx, s.db.R, mediaID)
	if errors.Is(err, apperr.ErrNotFound) {
		return "", "", &failure{CodeMediaMissing, s.text("O arquivo da mensagem não existe mais.", "The message's file no longer exists.")}
	}
	if err != nil {
		return "", "", err
	}
	if md.WAMediaID != nil && *md.WAMediaID != "" && md.ChannelID != nil && *md.ChannelID == cl.ch.ID &&
		s.now().Sub(md.UpdatedAt) < reuploadAfter {
		return *md.WAMediaID, md.Filename, nil
	}
	var data []byte
	if err := store.Get(ctx, s.db.R, &data, s.q.BlobGet, mediaID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return "", "", &failure{CodeMediaMissing, s.text("O arquivo da mensagem ainda não foi armazenado.", "The message's file is not stored yet.")}
		}
		return "", "", fmt.Errorf("outbound: media bytes: %w", err)
	}
	id, err := cl.wa.UploadMedia(ctx, md.Filename, md.MimeType, strings.NewReader(string(data)))
	if err != nil {
		return "", "", err
	}
	if _, err := s.db.W.ExecContext(ctx, s.q.MediaUploaded, cl.ch.ID, id, s.now(), mediaID); err != nil {
		s.log.Warn("could not remember an uploaded media id", "media_id", mediaID, "err", err)
	}
	return id, md.Filename, nil
}

// commitSent records WhatsApp's acceptance: the message is sent (and a
// reaction is set on its target) in one transaction with whatever waited
// for its WhatsApp id. When the commit fails, the answer is kept so the
// retry commits it without sending again.
func (s *Service) commitSent(ctx context.Context, log logger, m *message.Row, res whatsapp.SendResult) error {
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := s.messages.MarkSent(ctx, tx, m.ID, res.WAMessageID); err != nil {
			return err
		}
		if m.Type == TypeReaction && m.AuthorID != nil {
			var p struct {
				MessageID store.ID `json:"message_id"`
				Emoji     string   `json:"emoji"`
			}
			if err := json.Unmarshal([]byte(m.Payload), &p); err == nil && p.MessageID != 0 {
				if err := s.messages.SetReaction(ctx, tx, p.MessageID, "user:"+m.AuthorID.String(), p.Emoji, s.now()); err != nil {
					return err
				}
			}
		}
		if s.pending != nil {
			if err := s.pending.ApplyPending(ctx, tx, m.ChannelID, res.WAMessageID); err != nil {
				return err
			}
		}
		// Last: on PostgreSQL it holds the channel row's lock until the commit.
		return s.channels.RecordSend(ctx, tx, m.ChannelID)
	})
	if err != nil {
		s.putMemo(m.ID, res)
		log.Warn("WhatsApp accepted a message but marking it sent failed; the retry records it without sending again", "err", err)
		return err
	}
	_ = river.RecordOutput(ctx, res)
	s.notify(ctx, nil, []store.ID{m.ID})
	return nil
}

// sendFailed decides what a failed Graph call means: retry later (throttling,
// transient errors, network failures) or fail the message now with a
// readable reason (permanent errors: 131047, 131026, 190, 100, 132xxx …).
func (s *Service) sendFailed(ctx context.Context, log logger, job *rivertype.JobRow, m *message.Row, err error) error {
	if f, ok := errors.AsType[*failure](err); ok {
		return s.fail(ctx, log, m, f)
	}
	if ctx.Err() != nil {
		log.Warn("send interrupted (shutdown or timeout): if WhatsApp accepted it before, the retry may duplicate it", "err", err)
		return err
	}
	last := job.Attempt >= job.MaxAttempts
	if ae, ok := errors.AsType[*whatsapp.APIError](err); ok {
		s.noteGraphError(ctx, m.ChannelID, ae)
		if !ae.Retryable() {
			return s.fail(ctx, log, m, &failure{ae.CodeString(), ae.Reason(s.lang)})
		}
		if last {
			return s.failRetryable(ctx, log, m, ae.CodeString(), ae.Reason(s.lang))
		}
		d := s.retryDelay(job.Attempt, ae.Backoff(job.Attempt))
		log.Warn("send refused, retrying", "code", ae.Code, "http_status", ae.HTTPStatus, "retry_in", d.Round(time.Millisecond))
		s.putWait(job.ID, d)
		return fmt.Errorf("outbound: send: %w", err)
	}
	if errors.Is(err, whatsapp.ErrInvalidRequest) {
		return s.fail(ctx, log, m, &failure{CodeInvalidRequest, err.Error()})
	}
	if last {
		return s.failRetryable(ctx, log, m, CodeUnreachable, s.text(
			"Não foi possível falar com o WhatsApp após várias tentativas.", "WhatsApp could not be reached after many attempts."))
	}
	d := s.retryDelay(job.Attempt, 0)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, whatsapp.ErrUnexpectedResponse) || whatsapp.Retryable(err) {
		log.Warn("send got no usable answer, retrying: if WhatsApp accepted it, the customer may get it twice", "err", err, "retry_in", d.Round(time.Millisecond))
	} else {
		log.Warn("send failed, retrying", "err", err, "retry_in", d.Round(time.Millisecond))
	}
	s.putWait(job.ID, d)
	return fmt.Errorf("outbound: send: %w", err)
}

// retryDelay is the wait before the next attempt: WhatsApp's hint for the
// code, but at least 1 s doubling per attempt (so retries span more than an
// hour before the last attempt), at most an hour, with ±20 % jitter.
func (s *Service) retryDelay(attempt int, hint time.Duration) time.Duration {
	floor := time.Second << min(max(attempt-1, 0), 20)
	d := max(hint, min(floor, 10*time.Minute))
	d = min(d, time.Hour)
	d = time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()) * s.scale)
	return max(d, time.Millisecond)
}

// fail marks a message failed for good.
func (s *Service) fail(ctx context.Context, log logger, m *message.Row, f *failure) error {
	log.Warn("message failed", "code", f.code)
	if err := s.messages.MarkFailed(ctx, s.db.W, m.ID, message.Error{Code: f.code, Message: f.reason}); err != nil {
		return err
	}
	s.notify(ctx, nil, []store.ID{m.ID})
	return nil
}

// failRetryable marks a message failed after its last attempt at an error
// that might pass: an agent may send it again.
func (s *Service) failRetryable(ctx context.Context, log logger, m *message.Row, code, reason string) error {
	log.Warn("message failed after its last attempt", "code", code)
	if err := s.messages.MarkFailed(ctx, s.db.W, m.ID, message.Error{Code: code, Message: reason, Retryable: true}); err != nil {
		return err
	}
	s.notify(ctx, nil, []store.ID{m.ID})
	return nil
}

// text picks the reason in the service's language.
func (s *Service) text(pt, en string) string {
	l := strings.ToLower(s.lang)
	if l == "en" || strings.HasPrefix(l, "en-") || strings.HasPrefix(l, "en_") {
		return en
	}
	return pt
}

func (s *Service) putMemo(id store.ID, res whatsapp.SendResult) {
	s.memoMu.Lock()
	s.memo[id] = sendMemo{res: res}
	s.memoMu.Unlock()
}

func (s *Service) takeMemo(id store.ID) (sendMemo, bool) {
	s.memoMu.Lock()
	defer s.memoMu.Unlock()
	m, ok := s.memo[id]
	delete(s.memo, id)
	return m, ok
}

func (s *Service) putWait(jobID int64, d time.Duration) {
	s.waitMu.Lock()
	s.wait[jobID] = d
	s.waitMu.Unlock()
}

func (s *Service) takeWait(jobID int64) (time.Duration, bool) {
	s.waitMu.Lock()
	defer s.waitMu.Unlock()
	d, ok := s.wait[jobID]
	delete(s.wait, jobID)
	return d, ok
}

// ReceiptArgs is the durable job that sends one read receipt.
type ReceiptArgs struct {
	ChannelID   store.ID `json:"channel_id"`
	WAMessageID string   `json:"wa_message_id"`
}

// Kind names the job.
func (ReceiptArgs) Kind() string { return "outbound_read_receipt" }

// InsertOpts puts receipts in the outbound queue, one per message.
func (ReceiptArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueOutbound, MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// EnqueueReadReceipt queues a read receipt for the customer message
// waMessageID in the caller's transaction (POST …/read): the customer sees
// blue ticks up to it once it is sent. An empty id queues nothing.
func (s *Service) EnqueueReadReceipt(ctx context.Context, tx *store.Tx, channelID store.ID, waMessageID string) error {
	if waMessageID == "" {
		return nil
	}
	_, err := s.jobs.InsertTx(ctx, tx, ReceiptArgs{ChannelID: channelID, WAMessageID: waMessageID}, nil)
	return err
}

type receiptWorker struct {
	river.WorkerDefaults[ReceiptArgs]
	s *Service
}

func (w *receiptWorker) Work(ctx context.Context, job *river.Job[ReceiptArgs]) error {
	s := w.s
	log := s.log.With("channel_id", job.Args.ChannelID, "job_id", job.ID, "attempt", job.Attempt)
	cl, err := s.client(ctx, job.Args.ChannelID, false)
	if errors.Is(err, apperr.ErrNotFound) || errors.Is(err, errNoToken) || errors.Is(err, apperr.ErrConflict) {
		log.Warn("read receipt dropped: the channel cannot send", "err", err)
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.limits.wait(ctx, s.limits.phoneBucket(cl.ch.PhoneNumberID, cl.ch.MessagesPerSecond)); err != nil {
		return err
	}
	err = cl.wa.MarkRead(ctx, job.Args.WAMessageID)
	if err == nil {
		return nil
	}
	s.noteGraphError(ctx, job.Args.ChannelID, err)
	if !whatsapp.Retryable(err) || job.Attempt >= job.MaxAttempts {
		log.Warn("read receipt dropped", "err", err)
		return nil
	}
	d := time.Duration(0)
	if ae, ok := errors.AsType[*whatsapp.APIError](err); ok {
		d = ae.Backoff(job.Attempt)
	}
	d = s.retryDelay(job.Attempt, d)
	s.putWait(job.ID, d)
	log.Warn("read receipt failed, retrying", "err", err, "retry_in", d.Round(time.Millisecond))
	return err
}

func (w *receiptWorker) NextRetry(job *river.Job[ReceiptArgs]) time.Time {
	if d, ok := w.s.takeWait(job.ID); ok {
		return w.s.limits.wall().Add(d)
	}
	return time.Time{}
}
