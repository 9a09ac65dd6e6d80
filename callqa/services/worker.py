"""The processing worker: claim a call, transcribe it outside any transaction, store it.

Every call is its own unit of work; a broken recording fails alone with its reason stored.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from callqa.models import Call, CallStatus, utcnow
from callqa.models.call import error_columns
from callqa.models.db import DISCONNECTS
from callqa.models.rows import utterance_row
from callqa.qa.audio import AudioError
from callqa.qa.messages import N_, Message, MessageError
from callqa.qa.redaction.audio import RedactionAudioError
from callqa.qa.redaction.redact import Redacted
from callqa.qa.transcript import Transcript
from callqa.qa.transcription import AUTO_LANGUAGE, Segment, Transcriber
from callqa.services.claims import (
    Claim,
    claim_call,
    claim_next,
    earlier_delivery_heartbeat,
    give_up_on_dead_deliveries,
    give_up_on_stale,
    owned_call,
    release,
)
from callqa.services.heartbeats import HeartbeatTimer
from callqa.services.outages import Outage
from callqa.services.redacting import apply_redaction, redact_for_storage, silence_spans
from callqa.services.score_store import rules_for, score_call
from callqa.services.transcribing import (
    Recording,
    call_language,
    call_layout,
    transcribe_recording,
)
from callqa.services.webhooks import DeliveryThread, enqueue_call_scored
from callqa.services.workers import Presence
from callqa.settings import Settings

log = logging.getLogger(__name__)


class LostClaim(Exception):
    """Another worker took this call over (this one was presumed dead)."""


class CallFailed(MessageError):
    """A call that cannot be processed; the message is stored on the call."""


@dataclass(frozen=True)
class Job:
    call_id: int
    path: Path
    language: str
    layout: str
    agent_name: str | None = None  # a transcription hint


@dataclass(frozen=True)
class Outcome:
    call_id: int
    status: str
    audio_s: float = 0.0
    message: str = ""


@dataclass
class Progress:
    """Observer of a run; the CLI draws a progress bar from it."""

    on_start: Callable[[int, float], None] = lambda calls, audio_s: None
    on_outcome: Callable[[Outcome], None] = lambda outcome: None
    outcomes: list[Outcome] = field(default_factory=list)


class Worker:
    def __init__(
        self, sessions: sessionmaker[Session], settings: Settings,
        load_transcriber: Callable[[], Transcriber], presence: Presence | None = None,
        time_limit_errors: tuple[type[BaseException], ...] = (),
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self._load_transcriber = load_transcriber
        self.deliveries = DeliveryThread(sessions, settings)
        self._interrupted: Claim | None = None  # a call a database outage stopped
        self.presence = presence  # reports this process on the Workers page
        # raised into a call's processing when it overran its time limit (Celery's soft limit)
        self.time_limit_errors = time_limit_errors

    def run(self, watch: bool = False, poll_s: float = 5.0, limit: int | None = None,
            progress: Progress | None = None) -> list[Outcome]:
        """Process claimable calls until none are left (or forever with `watch`)."""
        progress = progress or Progress()
        progress.on_start(*self.backlog())
        if watch:  # a long-lived worker also retries the webhook deliveries that failed
            self.deliveries.kick()
        outage = Outage("worker")
        while limit is None or len(progress.outcomes) < limit:
            if not self._run_once(watch, poll_s, progress, outage):
                break
        # a run that ends gives the webhooks of its calls a moment to go out; what has not
        # gone by then is sent by the next worker (or `callqa webhooks deliver`)
        self.deliveries.drain(2 * self.settings.webhook_timeout_s)
        return progress.outcomes

    def _run_once(self, watch: bool, poll_s: float, progress: Progress, outage: Outage) -> bool:
        """One call, or a wait; False when there is nothing left and not watching."""
        try:
            self._give_back_interrupted()
            outcome = self.process_next()
        except DISCONNECTS as exc:  # the database went away: wait for it (watching)
            if not watch:
                raise
            time.sleep(outage.note(exc))
            return True
        outage.over()
        if outcome is None:
            if watch:
                time.sleep(poll_s)
            return watch
        progress.outcomes.append(outcome)
        progress.on_outcome(outcome)
        return True

    def backlog(self) -> tuple[int, float]:
        """Calls waiting and their audio seconds."""
        with self.sessions() as session:
            count, seconds = session.execute(
                select(func.count(Call.id), func.coalesce(func.sum(Call.duration_s), 0.0))
                .where(Call.status == CallStatus.QUEUED)
            ).one()
        assert seconds is not None  # coalesced to 0
        return count, float(seconds)

    def process_next(self) -> Outcome | None:
        with self.sessions.begin() as session:
            give_up_on_stale(session, self.settings.stale_claim_s, self.settings.max_attempts)
            claim = claim_next(session, self.settings.stale_claim_s, worker=self._who())
        if claim is None:
            return None
        if self.presence:
            self.presence.took(claim.call_id)
        return self._reported(self.process(claim))

    def process_call(self, call_id: int, task_id: str) -> Outcome | None:
        """A delivery of task `task_id` for call `call_id`: process the call if it is waiting
        or this task's earlier delivery died on it; None (nothing done) if it is done, failed,
        or in another live delivery's hands. After `max_attempts` deliveries whose worker died,
        the call fails with that reason."""
        if self.presence:
            self.presence.took(call_id)
        settings = self.settings
        if self._earlier_delivery_works_on(call_id, task_id):
            log.warning("call %s: task %s delivered again while its earlier delivery still works "
                        "on the call (its heartbeat goes on): the broker gave up on that "
                        "delivery's channel (RabbitMQ's consumer_timeout, Redis's visibility "
                        "timeout), not on its work; this delivery leaves the call to it",
                        call_id, task_id)
            if self.presence:
                self.presence.finished(call_id, stored=False)
            return None
        with self.sessions.begin() as session:
            if give_up_on_dead_deliveries(session, call_id, task_id, settings.stale_claim_s,
                                          settings.max_attempts):
                log.warning("call %s failed: its worker stopped during each of %s attempts",
                            call_id, settings.max_attempts)
                outcome: Outcome | None = Outcome(call_id, CallStatus.FAILED,
                                                  message="gave up after repeated worker deaths")
                claim = None
            else:
                outcome = None
                claim = claim_call(session, call_id, task_id, settings.stale_claim_s,
                                   worker=self._who())
        if claim is not None:
            return self._reported(self.process(claim))
        if outcome is None:
            log.info("call %s: nothing to do for task %s (done, failed or being processed)",
                     call_id, task_id)
        if self.presence:
            self.presence.finished(call_id, stored=outcome is not None)
        return outcome

    def _earlier_delivery_works_on(self, call_id: int, task_id: str) -> bool:
        """Whether an earlier delivery of this task still works on the call. A broker delivers
        a task again when the delivery that took it died (its heartbeat stopped: this one takes
        over), but also when it dropped that delivery's channel while its work goes on: its
        heartbeat moves within two beats, and taking the claim would throw that work away."""
        def last_beat():
            with self.sessions() as session:
                return earlier_delivery_heartbeat(session, call_id, task_id,
                                                  self.settings.stale_claim_s)
        first = last_beat()
        if first is None:
            return False
        deadline = time.monotonic() + 2 * self.settings.heartbeat_s + 1.0
        while time.monotonic() < deadline:
            time.sleep(min(1.0, self.settings.heartbeat_s / 4))
            beat = last_beat()
            if beat != first:  # a newer beat: alive; None: it finished or handed the call back
                return beat is not None
        return False

    def _who(self) -> str | None:
        return self.presence.id if self.presence else None

    def _reported(self, outcome: Outcome) -> Outcome:
        if self.presence:
            self.presence.finished(outcome.call_id, stored=outcome.status != "lost")
        return outcome

    def process(self, claim: Claim) -> Outcome:
        try:
            with HeartbeatTimer(self.sessions, claim, self.settings.heartbeat_s) as beat:
                if claim.transcribed:
                    return self._resume(claim)
                job = self._job(claim)
                # Redacted before anything is stored: the clear text never reaches the database.
                redacted = redact_for_storage(self._transcribe(job, beat), self.settings.redact)
                silenced = silence_spans(job.path, redacted.spans)
                return self._store(claim, redacted, silenced)
        except (AudioError, CallFailed, RedactionAudioError) as exc:
            return self._fail(claim, exc.message)
        except self.time_limit_errors:
            return self._fail(claim, Message(
                N_("processing took longer than its time limit of %(seconds)s s"
                   " (CALLQA_TASK_TIME_LIMIT_S)"),
                {"seconds": round(self.settings.task_soft_limit_s)}))
        except LostClaim:
            log.warning("call %s was taken over by another worker", claim.call_id)
            return Outcome(claim.call_id, "lost", message="taken over by another worker")
        except DISCONNECTS:  # not the call's fault: given back once the database is back
            self._interrupted = claim
            raise
        except (KeyboardInterrupt, SystemExit):
            with self.sessions.begin() as session:
                release(session, claim)
            raise
        except Exception as exc:  # a bug must not stop the worker: keep the reason, go on
            log.exception("call %s failed", claim.call_id)
            return self._fail(claim, Message(N_("internal error: %(error)s"),
                                             {"error": f"{type(exc).__name__}: {exc}"}))

    def _give_back_interrupted(self) -> None:
        """Hand back to the queue the call a database outage interrupted (rather than leave
        it to be taken over as if this worker had died, an attempt lost)."""
        if self._interrupted is not None:
            with self.sessions.begin() as session:
                release(session, self._interrupted)
            log.warning("call %s interrupted by the database outage: queued again",
                        self._interrupted.call_id)
            self._interrupted = None

    def _job(self, claim: Claim) -> Job:
        with self.sessions() as session:
            call = session.get(Call, claim.call_id)
            assert call is not None and call.storage_name is not None  # a claimed recording
            queue = call.queue
            language = call_language(self.settings, call.language,
                                     queue.language if queue else None)
            layout = call_layout(self.settings, call.channel_layout,
                                 queue.channel_layout if queue else None)
            path = self.settings.recordings_dir / call.storage_name
            agent_name = call.agent.name if call.agent else None
        if not language:
            raise CallFailed(
                N_("no language for this call: set it on the call or its queue, or set"
                   " CALLQA_DEFAULT_LANGUAGE (\"%(auto)s\" lets Whisper detect it)"),
                auto=AUTO_LANGUAGE)
        if not path.is_file():
            raise CallFailed(N_("recording is missing from storage: %(path)s"), path=str(path))
        return Job(claim.call_id, path, language, layout, agent_name)

    def _transcribe(self, job: Job, beat: HeartbeatTimer) -> Transcript:
        recording = Recording(job.path, job.language, job.layout, job.agent_name,
                              name=f"call {job.call_id}")
        transcript = transcribe_recording(recording, self.settings, self._load_transcriber(),
                                          rules_for(self.settings).scorecard,
                                          self._stop_if_lost(beat))
        self._stop_if_lost(beat)(None)
        return transcript

    @staticmethod
    def _stop_if_lost(beat: HeartbeatTimer) -> Callable[[Segment | None], None]:
        """Checked at each segment: a call taken over is not worked on further."""
        def check(_segment: Segment | None) -> None:
            if beat.lost:
                raise LostClaim()
        return check

    def _store(self, claim: Claim, redacted: Redacted, silenced: bool) -> Outcome:
        engine = self._load_transcriber().info
        transcript = redacted.transcript
        with self.sessions.begin() as session:
            call = owned_call(session, claim)
            if call is None:
                raise LostClaim()
            call.utterances = [utterance_row(i, u) for i, u in enumerate(transcript.utterances)]
            apply_redaction(call, redacted.spans, silenced)
            call.status = CallStatus.TRANSCRIBED if transcript.utterances else CallStatus.NO_SPEECH
            call.speakers_known = transcript.speakers_known
            call.unheard_speech = [
                {"speaker": str(u.speaker), "channel": u.channel, "start": u.start, "end": u.end,
                 **({"drowned": True} if u.drowned else {})}
                for u in transcript.unheard] or None
            call.transcript_language = transcript.language
            call.engine, call.model = engine.engine, engine.model
            call.transcribed_at = utcnow()
            call.duration_s = round(transcript.duration, 3)
            if call.status == CallStatus.NO_SPEECH:
                call.claim_token = None
            status = call.status
        if status == CallStatus.TRANSCRIBED:
            status = self._finish(claim)
        return Outcome(claim.call_id, status, transcript.duration)

    def _resume(self, claim: Claim) -> Outcome:
        """A call whose worker stopped after storing its transcript: scored from it, the
        recording not transcribed again."""
        log.info("call %s: its transcript was stored but not scored (its worker stopped): "
                 "scoring the stored transcript", claim.call_id)
        status = self._finish(claim)
        with self.sessions() as session:
            duration = session.scalar(select(Call.duration_s).where(Call.id == claim.call_id))
        return Outcome(claim.call_id, status, duration or 0.0)

    def _finish(self, claim: Claim) -> CallStatus:
        """Score the stored transcript and update FCR, then done."""
        with self.sessions.begin() as session:
            call = owned_call(session, claim)
            if call is None:
                raise LostClaim()
            score_call(session, call, rules_for(self.settings))
            call.status = CallStatus.DONE
            call.claim_token = None
            webhooks = enqueue_call_scored(session, call)
        if webhooks:
            self.deliveries.kick()
        return CallStatus.DONE

    def _fail(self, claim: Claim, message: Message) -> Outcome:
        reason = str(message)
        with self.sessions.begin() as session:
            call = owned_call(session, claim)
            if call is None:
                return Outcome(claim.call_id, "lost", message="taken over by another worker")
            call.status, call.claim_token = CallStatus.FAILED, None
            for column, value in error_columns(message).items():
                setattr(call, column, value)
        log.warning("call %s failed: %s", claim.call_id, reason)
        return Outcome(claim.call_id, CallStatus.FAILED, message=reason)
