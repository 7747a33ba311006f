/**
 * The stream form's values and how they become a PUT body: pure, so what the
 * form sends (and what it clears) is testable without a browser.
 */
import type { AudioHandling, Flip, Rotate, StreamSettingsView, StreamWire } from '../api/admin.js';

export interface StreamForm {
  name: string;
  title: string;
  url: string;
  substreamUrl: string;
  flip: Flip;
  rotate: Rotate;
  audio: AudioHandling;
  enabled: boolean;
  dvrRoot: string;
  /** Hours, as typed; empty: kept for ever (or until the disk limit). */
  expirationHours: string;
  /** Bytes, or "500G", "1.5T", "80%"; empty: the config's limit. */
  diskLimit: string;
}

export const EMPTY_STREAM_FORM: StreamForm = {
  name: '',
  title: '',
  url: '',
  substreamUrl: '',
  flip: 'none',
  rotate: 0,
  audio: 'keep',
  enabled: true,
  dvrRoot: '',
  expirationHours: '',
  diskLimit: '',
};

const HOUR_S = 3600;

/** Decimal, without trailing zeros: 1.5, not 1.500000. */
function hoursOf(seconds: number): string {
  return String(Math.round((seconds / HOUR_S) * 1000) / 1000);
}

export function formOfStream(stream: StreamSettingsView): StreamForm {
  return {
    name: stream.name,
    title: stream.title,
    url: stream.url,
    substreamUrl: stream.substream_url ?? '',
    flip: stream.flip,
    rotate: stream.rotate,
    audio: stream.audio,
    enabled: stream.enabled,
    dvrRoot: stream.dvr.root ?? '',
    expirationHours: stream.dvr.expiration === undefined ? '' : hoursOf(stream.dvr.expiration),
    diskLimit: stream.dvr.disk_limit === undefined ? '' : String(stream.dvr.disk_limit),
  };
}

/**
 * The PUT body. Empty optional fields are sent as null, so clearing a field
 * in an edit clears the setting. Out-of-range values go as typed, for the
 * server to refuse with its own message (the form shows it at the field).
 */
export function wireOfForm(form: StreamForm): StreamWire {
  const hours = Number(form.expirationHours.trim() || Number.NaN);
  const limit = form.diskLimit.trim();
  return {
    url: form.url.trim(),
    substream_url: form.substreamUrl.trim() || null,
    title: form.title.trim(),
    flip: form.flip,
    rotate: form.rotate,
    audio: form.audio,
    enabled: form.enabled,
    dvr: {
      root: form.dvrRoot.trim() || null,
      expiration: Number.isFinite(hours) ? Math.round(hours * HOUR_S) : null,
      disk_limit: limit === '' ? null : /^\d+$/.test(limit) ? Number(limit) : limit,
    },
  };
}

/** The form field an API error's `field` names (`dvr.disk_limit` → diskLimit); undefined: the form as a whole. */
export function formFieldOf(apiField: string | undefined): keyof StreamForm | undefined {
  switch (apiField?.replace(/^body\./, '')) {
    case 'name':
      return 'name';
    case 'title':
      return 'title';
    case 'url':
      return 'url';
    case 'substream_url':
      return 'substreamUrl';
    case 'flip':
      return 'flip';
    case 'rotate':
      return 'rotate';
    case 'audio':
      return 'audio';
    case 'enabled':
      return 'enabled';
    case 'dvr.root':
      return 'dvrRoot';
    case 'dvr.expiration':
      return 'expirationHours';
    case 'dvr.disk_limit':
      return 'diskLimit';
    default:
      return undefined;
  }
}

/** Masks a source URL's password for lists (`rtsp://user:***@cam/…`); the edit form shows it whole. */
export function maskUrlPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}
