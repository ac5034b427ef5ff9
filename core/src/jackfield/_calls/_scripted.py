"""A call without a media pipeline: replay a fixed list of events to observers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from jackfield._calls._events import CallEvent, CallObserver, parse_call_events

__all__ = ["ObserverErrorHandler", "ScriptedCall"]

#: Called with the event and the exception when a guarded observer raises.
ObserverErrorHandler = Callable[[CallEvent, Exception], None]

_Handler = tuple[Callable[[CallEvent], None], ObserverErrorHandler | None]


class ScriptedCall:
    """A :class:`~jackfield.CallTask` that replays a list of events.

    For hosts without a media pipeline, for tests and for demos::

        call = ScriptedCall.from_file("examples/call.json")
        call.add_observer(my_observer)
        call.run()

    Events are delivered in order, each to every observer in the order they were
    added. An exception from an observer added with :meth:`add_observer`
    propagates out of :meth:`run`, as it would from a real task; the live-call
    orchestrator guards each plugin's observers so that never happens to it.
    """

    __slots__ = ("_events", "_handlers")

    def __init__(self, events: Iterable[CallEvent]) -> None:
        self._events: tuple[CallEvent, ...] = tuple(events)
        self._handlers: list[_Handler] = []

    @classmethod
    def from_json(cls, text: str | bytes) -> ScriptedCall:
        """Build a call from a JSON array of flat event objects.

        :raises pydantic.ValidationError: naming the index, ``kind`` and field at fault.
        """
        return cls(parse_call_events(text))

    @classmethod
    def from_file(cls, path: str | Path) -> ScriptedCall:
        """Build a call from a file holding a JSON array of flat event objects.

        :raises OSError: if the file cannot be read.
        :raises pydantic.ValidationError: if an event is invalid.
        """
        return cls.from_json(Path(path).read_bytes())

    @property
    def events(self) -> tuple[CallEvent, ...]:
        """The events this call replays, in order."""
        return self._events

    def add_observer(self, observer: CallObserver) -> None:
        """Have ``observer.on_event`` receive every event of the next :meth:`run`."""
        self._handlers.append((observer.on_event, None))

    def add_guarded_observer(
        self, on_event: Callable[[CallEvent], None], on_error: ObserverErrorHandler
    ) -> None:
        """Add an event callback whose exceptions go to ``on_error`` instead of :meth:`run`.

        The orchestrator uses this instead of wrapping the observer in another
        object, which keeps the per-event cost to the observer's own call.
        """
        self._handlers.append((on_event, on_error))

    def run(self) -> int:
        """Deliver every event to every observer; return how many events were replayed."""
        handlers = tuple(self._handlers)
        for event in self._events:
            for on_event, on_error in handlers:
                try:
                    on_event(event)
                except Exception as exc:
                    if on_error is None:
                        raise
                    on_error(event, exc)
        return len(self._events)
