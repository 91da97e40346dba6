// Server-Sent Events over a POST: EventSource can only GET, so read the fetch body as a stream.
import { ApiError, request, UNREACHABLE } from "./api.js";
import { reportOutage } from "./outage.js";

export const IDLE_TIMEOUT_MS = 45_000; // no event for this long: the answer is given up on (the message stays saved)

function parseEvent(block) {
  let name = "message";
  const data = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith("event:")) name = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  return data.length ? { name, data: JSON.parse(data.join("\n")) } : null;
}

// POST ``body`` to ``path`` and call handlers: { accepted, token, reset, done, error }, each with the event's
// JSON data. ``signal`` stops it (the Stop button); a stream silent for IDLE_TIMEOUT_MS is stopped too.
export async function streamEvents(path, body, handlers, { signal, retry } = {}) {
  const idle = new AbortController();
  let timer = window.setTimeout(() => idle.abort(), IDLE_TIMEOUT_MS);
  const both = AbortSignal.any([idle.signal, ...(signal ? [signal] : [])]);
  try {
    const response = await request(path, {
      method: "POST",
      json: body,
      headers: { Accept: "text/event-stream" },
      signal: both,
      timeoutMs: null,
      retry,
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      window.clearTimeout(timer);
      timer = window.setTimeout(() => idle.abort(), IDLE_TIMEOUT_MS);
      buffer += value;
      let end;
      while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const event = parseEvent(buffer.slice(0, end));
        buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, "");
        if (event && handlers[event.name]) handlers[event.name](event.data);
      }
    }
  } catch (error) {
    if (idle.signal.aborted && !signal?.aborted) {
      reportOutage(retry);
      throw new ApiError(0, UNREACHABLE);
    }
    throw error;
  } finally {
    window.clearTimeout(timer);
  }
}

export function streamMessage(conversationId, content, handlers, options) {
  return streamEvents(`/conversations/${encodeURIComponent(conversationId)}/messages`, { content }, handlers, options);
}

// Answer the last message again; with ``content``, edit it first.
export function streamRetry(conversationId, content, handlers, options) {
  const body = content === undefined ? {} : { content };
  return streamEvents(`/conversations/${encodeURIComponent(conversationId)}/retry`, body, handlers, options);
}
