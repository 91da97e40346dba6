// Server-Sent Events over a POST: EventSource can only GET, so read the fetch body as a stream.
import { request } from "./api.js";

function parseEvent(block) {
  let name = "message";
  const data = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith("event:")) name = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  return data.length ? { name, data: JSON.parse(data.join("\n")) } : null;
}

// handlers: { accepted, token, reset, done, error }, each called with the event's JSON data.
export async function streamMessage(conversationId, content, handlers) {
  const response = await request(`/conversations/${encodeURIComponent(conversationId)}/messages`, {
    method: "POST",
    json: { content },
    headers: { Accept: "text/event-stream" },
  });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const event = parseEvent(buffer.slice(0, end));
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, "");
      if (event && handlers[event.name]) handlers[event.name](event.data);
    }
  }
}
