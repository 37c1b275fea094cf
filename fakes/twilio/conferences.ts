import { randomBytes } from 'node:crypto';

/**
 * Conferences of the fake Twilio REST API (`rest-server.ts`): a call whose TwiML becomes
 * `<Dial><Conference>name</Conference></Dial>` (a call update) joins the conference of that
 * friendly name, created on first join; it leaves when the call ends, and the conference ends
 * when a participant with `endConferenceOnExit` leaves or the last one does, hanging up the rest.
 * The REST resources are Twilio's: `Conferences.json` (filter `FriendlyName`, `Status`),
 * `Conferences/{Sid}.json`, `Conferences/{Sid}/Participants.json`, and
 * `Conferences/{Sid}/Participants/{CallSid}.json` (POST `Hold`, `HoldUrl`, `Muted`; DELETE kicks).
 */
export interface FakeConference {
  sid: string;
  account_sid: string;
  friendly_name: string;
  status: 'init' | 'in-progress' | 'completed';
  date_created: string;
  date_updated: string;
  uri: string;
}

export interface FakeParticipant {
  call_sid: string;
  conference_sid: string;
  account_sid: string;
  label: string | null;
  hold: boolean;
  muted: boolean;
  coaching: boolean;
  status: 'connected';
  start_conference_on_enter: boolean;
  end_conference_on_exit: boolean;
  date_created: string;
  date_updated: string;
  uri: string;
  /** Not Twilio's: the hold music URL set with `HoldUrl`. */
  holdUrl?: string;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

const rfc2822 = (date: Date) => date.toUTCString().replace('GMT', '+0000');
const CONFERENCE_TWIML = /<Dial[^>]*>\s*<Conference([^>]*)>([^<]+)<\/Conference>\s*<\/Dial>/;
const attribute = (attributes: string, name: string) =>
  new RegExp(`\\b${name}="([^"]*)"`).exec(attributes)?.[1];

export function createFakeConferences(accountSid: string, hangUpCall: (callSid: string) => void) {
  const conferences = new Map<string, FakeConference>();
  const participants = new Map<string, Map<string, FakeParticipant>>();
  const base = `/2010-04-01/Accounts/${accountSid}/Conferences`;
  const notFound = (path: string): Answer => ({
    status: 404,
    body: {
      code: 20404,
      message: `The requested resource ${path} was not found`,
      more_info: 'https://www.twilio.com/docs/errors/20404',
      status: 404,
    },
  });

  function end(conference: FakeConference): void {
    conference.status = 'completed';
    conference.date_updated = rfc2822(new Date());
    const members = participants.get(conference.sid) ?? new Map();
    participants.set(conference.sid, new Map());
    for (const callSid of members.keys()) hangUpCall(callSid);
  }

  /** The call's TwiML changed: if it dials a conference, the call joins it. */
  function twimlChanged(callSid: string, twiml: string): void {
    leave(callSid);
    const match = CONFERENCE_TWIML.exec(twiml);
    if (!match) return;
    const [, attributes = '', name = ''] = match;
    let conference = [...conferences.values()].find(
      (c) => c.friendly_name === name.trim() && c.status !== 'completed',
    );
    const now = rfc2822(new Date());
    if (!conference) {
      const sid = `CF${randomBytes(16).toString('hex')}`;
      conference = {
        sid,
        account_sid: accountSid,
        friendly_name: name.trim(),
        status: 'init',
        date_created: now,
        date_updated: now,
        uri: `${base}/${sid}.json`,
      };
      conferences.set(sid, conference);
      participants.set(sid, new Map());
    }
    const startOnEnter = attribute(attributes, 'startConferenceOnEnter') !== 'false';
    if (startOnEnter) conference.status = 'in-progress';
    participants.get(conference.sid)?.set(callSid, {
      call_sid: callSid,
      conference_sid: conference.sid,
      account_sid: accountSid,
      label: null,
      hold: false,
      muted: false,
      coaching: false,
      status: 'connected',
      start_conference_on_enter: startOnEnter,
      end_conference_on_exit: attribute(attributes, 'endConferenceOnExit') === 'true',
      date_created: now,
      date_updated: now,
      uri: `${base}/${conference.sid}/Participants/${callSid}.json`,
    });
  }

  /** The call ended or moved on: it leaves its conference, which may end with it. */
  function leave(callSid: string): void {
    for (const conference of conferences.values()) {
      const members = participants.get(conference.sid);
      const member = members?.get(callSid);
      if (!members || !member) continue;
      members.delete(callSid);
      if (conference.status !== 'completed' && (member.end_conference_on_exit || members.size === 0)) {
        end(conference);
      }
    }
  }

  /** Conference requests; undefined when `path` is not one (the server answers 404 then). */
  function route(method: string, path: string, params: URLSearchParams, query: URLSearchParams) {
    if (!path.startsWith(base)) return undefined;
    if (method === 'GET' && path === `${base}.json`) {
      const name = query.get('FriendlyName');
      const status = query.get('Status');
      const list = [...conferences.values()].filter(
        (c) => (!name || c.friendly_name === name) && (!status || c.status === status),
      );
      return { status: 200, body: { conferences: list, page: 0, page_size: 50, uri: `${base}.json` } };
    }
    const one = /^\/([^/]+?)(?:\/Participants(?:\/([^/]+?))?)?\.json$/.exec(path.slice(base.length));
    const conference = one && conferences.get(decodeURIComponent(one[1] ?? ''));
    if (!one || !conference) return notFound(path);
    if (!path.includes('/Participants')) {
      return method === 'GET' ? { status: 200, body: { ...conference } } : notFound(path);
    }
    const members = participants.get(conference.sid) ?? new Map<string, FakeParticipant>();
    if (!one[2]) {
      return method === 'GET'
        ? { status: 200, body: { participants: [...members.values()].map(publicParticipant) } }
        : notFound(path);
    }
    const participant = members.get(decodeURIComponent(one[2]));
    if (!participant) return notFound(path);
    if (method === 'DELETE') {
      hangUpCall(participant.call_sid);
      leave(participant.call_sid);
      return { status: 204, body: {} };
    }
    if (method === 'GET') return { status: 200, body: publicParticipant(participant) };
    if (method !== 'POST') return notFound(path);
    const hold = params.get('Hold');
    const muted = params.get('Muted');
    if (hold !== null) participant.hold = hold === 'true';
    if (muted !== null) participant.muted = muted === 'true';
    const holdUrl = params.get('HoldUrl');
    if (holdUrl !== null) participant.holdUrl = holdUrl;
    participant.date_updated = rfc2822(new Date());
    return { status: 200, body: publicParticipant(participant) };
  }

  return { conferences, participants, twimlChanged, leave, route };
}

function publicParticipant(participant: FakeParticipant): Record<string, unknown> {
  const { holdUrl: _holdUrl, ...resource } = participant;
  return resource;
}
