import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { QUEUES, type QueueId } from '#shared/queues/definitions.ts';
import { EVENT_SUBSCRIPTIONS } from '#shared/queues/routing.ts';

/**
 * What a handler's code touches, derived from the modules it bundles. Grants follow the code:
 * a handler that never builds a DynamoDB client gets no table permission, one that publishes
 * call events may send to exactly the queues those events are routed to.
 */
export interface HandlerAccess {
  /** Repository-relative entry file. */
  entry: string;
  exists: boolean;
  /** Every repository module the entry reaches through static or dynamic imports. */
  modules: string[];
  table: boolean;
  /** Some bundled module builds a DynamoDB write (put, update, delete, batch or transaction). */
  tableWrites: boolean;
  secrets: boolean;
  /** Reads or writes the exports bucket (`shared/exports/s3-client.ts`). */
  exportsBucket: boolean;
  sendQueues: QueueId[];
  /** Queues whose attributes the handler reads (health probes). */
  probeQueues: QueueId[];
  /** Moves poison messages to its queue's DLQ itself (`functions/consumers/batch/dead-letter.ts`). */
  sendsToDeadLetterQueue: boolean;
  /** Reads or writes the knowledge bucket (`shared/knowledge/knowledge-storage.ts`). */
  knowledgeBucket: boolean;
  /** Bundles LanceDB (a native module; see PlatformFunction's `lanceDb`). */
  lanceDb: boolean;
  /** Modules that send to SQS without going through the shared publisher (their queue is unknown). */
  unknownQueueSenders: string[];
  /** Reads the session signing keyring (verifies or signs access tokens). */
  sessionKeys: boolean;
  /** Sends email through SES (invitations, password resets). */
  sendsEmail: boolean;
  /**
   * The recordings bucket (`shared/recordings/recording-objects.ts`): `finish` completes uploads
   * of dead media tasks (the sweeper), `playback` presigns and deletes (the API).
   */
  recordingsBucket: 'none' | 'playback' | 'finish';
}

const IMPORT_PATTERN =
  /(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
const TYPE_ONLY_IMPORT = /^import\s+type\s/;

/** A call of `name(`, not its declaration (`function name(`). */
const callOf = (name: string) => new RegExp(`(?<!function\\s+)\\b${name}\\s*\\(`);

/** A use of a shared capability: calls of its functions anywhere but in the module that defines them. */
interface Capability {
  calls: RegExp[];
  definedIn: string;
}
const PUBLISHER_MODULE = 'shared/queues/publisher.ts';
const USES_TABLE: Capability = {
  calls: [callOf('dbFromEnv'), callOf('createDb')],
  definedIn: 'shared/data/client.ts',
};
const USES_SECRETS: Capability = {
  calls: [callOf('secrets'), callOf('createSecretStore')],
  definedIn: 'shared/config/secrets.ts',
};
const PUBLISHES_EVENTS: Capability = { calls: [callOf('publishCallEvent')], definedIn: PUBLISHER_MODULE };
const SENDS_MEDIA_COMMANDS: Capability = { calls: [callOf('sendMediaCommand')], definedIn: PUBLISHER_MODULE };
const USES_SESSION_KEYS: Capability = {
  calls: [callOf('keyringFromEnv'), callOf('createKeyringSource')],
  definedIn: 'shared/people/signing-keys.ts',
};
const SENDS_EMAIL: Capability = {
  calls: [callOf('emailSenderFromEnv'), callOf('createEmailSender')],
  definedIn: 'shared/people/email-sender.ts',
};
const PROBES_QUEUES: Capability = { calls: [callOf('checkQueue')], definedIn: 'shared/health/checks.ts' };
const DEAD_LETTER_MODULE = 'functions/consumers/batch/dead-letter.ts';
const SENDS_TO_DEAD_LETTER: Capability = {
  calls: [callOf('deadLetterQueue')],
  definedIn: DEAD_LETTER_MODULE,
};
const KNOWLEDGE_MESSAGES_MODULE = 'shared/knowledge/knowledge-messages.ts';
const SENDS_CRAWL_PAGES: Capability = {
  calls: [callOf('sendCrawlPage')],
  definedIn: KNOWLEDGE_MESSAGES_MODULE,
};
const SENDS_INDEX_MESSAGES: Capability = {
  calls: [callOf('sendIndexMessage')],
  definedIn: KNOWLEDGE_MESSAGES_MODULE,
};
const USES_KNOWLEDGE_BUCKET: Capability = {
  calls: [callOf('knowledgeStorageFromEnv'), callOf('createKnowledgeStorage')],
  definedIn: 'shared/knowledge/knowledge-storage.ts',
};
const LANCE_IMPORT = /from\s+['"]@lancedb\/lancedb['"]/;
const JOB_PUBLISHER_MODULE = 'shared/queues/job-publisher.ts';
/** The job publisher's senders, each bound to one queue. */
const CAMPAIGN_MESSAGES_MODULE = 'shared/campaigns/campaign-messages.ts';
const JOB_SENDERS: readonly [Capability, QueueId][] = [
  [{ calls: [callOf('queueExportJob')], definedIn: JOB_PUBLISHER_MODULE }, 'exports'],
  [{ calls: [callOf('queueBackfillJob')], definedIn: JOB_PUBLISHER_MODULE }, 'backfills'],
  [{ calls: [callOf('publishExportCompleted')], definedIn: JOB_PUBLISHER_MODULE }, 'webhooks'],
  [{ calls: [callOf('queueDialCommands')], definedIn: CAMPAIGN_MESSAGES_MODULE }, 'campaignDials'],
  [{ calls: [callOf('queueImportJob')], definedIn: CAMPAIGN_MESSAGES_MODULE }, 'contactImports'],
];
const USES_EXPORTS_BUCKET: Capability = {
  calls: [callOf('s3FromEnv')],
  definedIn: 'shared/exports/s3-client.ts',
};
const RECORDING_OBJECTS_MODULE = 'shared/recordings/recording-objects.ts';
const USES_RECORDINGS_BUCKET: Capability = {
  calls: [callOf('recordingsFromEnv')],
  definedIn: RECORDING_OBJECTS_MODULE,
};
const FINISHES_RECORDINGS: Capability = {
  calls: [
    callOf('completeRecordingUpload'),
    callOf('abortRecordingUpload'),
    callOf('finalizeRecordingHeader'),
  ],
  definedIn: RECORDING_OBJECTS_MODULE,
};
const TABLE_WRITE = /\bnew\s+(?:Put|Update|Delete|BatchWrite|TransactWrite)(?:Item)?Command\s*\(/;
const RAW_SQS_SEND = /\bnew\s+SendMessage(?:Batch)?Command\s*\(/;
/** Modules whose raw sends are accounted for by a capability above. */
const KNOWN_SENDERS = new Set([
  PUBLISHER_MODULE,
  DEAD_LETTER_MODULE,
  KNOWLEDGE_MESSAGES_MODULE,
  JOB_PUBLISHER_MODULE,
  CAMPAIGN_MESSAGES_MODULE,
]);
const EVENT_TYPE_LITERAL = /\btype:\s*['"](call\.[a-z_]+)['"]/g;
const PUBLISH_CALLS = /(?<!function\s+)\bpublishCallEvent\s*\(/g;

const EVENT_QUEUES = [...new Set(Object.values(EVENT_SUBSCRIPTIONS).flat())] as QueueId[];
const ALL_QUEUE_IDS = Object.keys(QUEUES) as QueueId[];

/**
 * The queues a publishing module's events go to: the subscriptions of the event types it names
 * (`type: 'call.escalated'`, at least one per publish call), else every event queue (a module
 * that passes the type through could publish any event).
 */
function publishedEventQueues(publishingSources: string[]): QueueId[] {
  const queues = new Set<QueueId>();
  for (const source of publishingSources) {
    const calls = source.match(PUBLISH_CALLS)?.length ?? 0;
    const types = [...source.matchAll(EVENT_TYPE_LITERAL)].map((match) => match[1] as string);
    const known = types.filter(
      (type): type is keyof typeof EVENT_SUBSCRIPTIONS => type in EVENT_SUBSCRIPTIONS,
    );
    const subscribed =
      known.length >= calls ? known.flatMap((type) => EVENT_SUBSCRIPTIONS[type]) : EVENT_QUEUES;
    for (const queue of subscribed) queues.add(queue);
  }
  return ALL_QUEUE_IDS.filter((id) => queues.has(id));
}

/** Resolves an import specifier to a repository file, or undefined for packages and node builtins. */
function resolveSpecifier(rootDir: string, fromFile: string, specifier: string): string | undefined {
  let target: string;
  if (specifier.startsWith('#shared/')) target = join(rootDir, 'shared', specifier.slice('#shared/'.length));
  else if (specifier.startsWith('.')) target = resolve(dirname(fromFile), specifier);
  else return undefined;
  for (const candidate of [target, `${target}.ts`, join(target, 'index.ts')]) {
    if (candidate.endsWith('.ts') && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Runtime imports of a module (type-only imports are erased by the bundler). */
function importsOf(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(IMPORT_PATTERN)) {
    if (TYPE_ONLY_IMPORT.test(match[0])) continue;
    const specifier = match[1] ?? match[2];
    if (specifier) found.push(specifier);
  }
  return found;
}

/** Bare package names a module graph imports (`@scope/name`, `name`), without node builtins. */
export function packageNameOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('#') || specifier.startsWith('node:'))
    return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export interface ModuleGraph {
  /** Absolute paths of the repository modules reached, entry first. */
  files: string[];
  /** Bare package specifiers imported anywhere in the graph. */
  packages: string[];
  sources: Map<string, string>;
}

/** Walks the import graph of a repository entry file. `read` is shared so repeated walks are cheap. */
export function walkModuleGraph(
  rootDir: string,
  entry: string,
  read: (file: string) => string = (file) => readFileSync(file, 'utf8'),
): ModuleGraph {
  const start = resolve(rootDir, entry);
  const seen = new Set<string>();
  const packages = new Set<string>();
  const sources = new Map<string, string>();
  const pending = [start];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = read(file);
    sources.set(file, source);
    for (const specifier of importsOf(source)) {
      const target = resolveSpecifier(rootDir, file, specifier);
      if (target) pending.push(target);
      else {
        const name = packageNameOf(specifier);
        if (name) packages.add(name);
      }
    }
  }
  return { files: [...seen], packages: [...packages].sort(), sources };
}

/**
 * Reads handler files once per analyzer, so deriving the access of forty handlers that share the
 * same libraries reads each library once.
 */
export function createAccessAnalyzer(rootDir: string): (entry: string) => HandlerAccess {
  const cache = new Map<string, string>();
  const read = (file: string) => {
    let source = cache.get(file);
    if (source === undefined) {
      source = readFileSync(file, 'utf8');
      cache.set(file, source);
    }
    return source;
  };
  return (entry) => {
    const none: HandlerAccess = {
      entry,
      exists: false,
      modules: [],
      table: false,
      tableWrites: false,
      secrets: false,
      exportsBucket: false,
      sendQueues: [],
      probeQueues: [],
      sendsToDeadLetterQueue: false,
      knowledgeBucket: false,
      lanceDb: false,
      unknownQueueSenders: [],
      sessionKeys: false,
      sendsEmail: false,
      recordingsBucket: 'none',
    };
    if (!existsSync(join(rootDir, entry))) return none;
    const graph = walkModuleGraph(rootDir, entry, read);
    const modules = graph.files.map((file) => relative(rootDir, file));
    const sources = [...graph.sources.entries()].map(([file, source]) => ({
      module: relative(rootDir, file),
      source,
    }));
    const usersOf = (capability: Capability) =>
      sources.filter(
        ({ module, source }) =>
          module !== capability.definedIn && capability.calls.some((pattern) => pattern.test(source)),
      );
    const anyUses = (capability: Capability) => usersOf(capability).length > 0;
    const sendQueues = new Set<QueueId>();
    const publishers = usersOf(PUBLISHES_EVENTS);
    if (publishers.length > 0) {
      for (const queue of publishedEventQueues(publishers.map((p) => p.source))) sendQueues.add(queue);
    }
    if (anyUses(SENDS_MEDIA_COMMANDS)) sendQueues.add('mediaCommands');
    if (anyUses(SENDS_CRAWL_PAGES)) sendQueues.add('knowledgeCrawl');
    if (anyUses(SENDS_INDEX_MESSAGES)) sendQueues.add('knowledgeIndex');
    for (const [capability, queue] of JOB_SENDERS) if (anyUses(capability)) sendQueues.add(queue);
    return {
      entry,
      exists: true,
      modules,
      table: anyUses(USES_TABLE),
      tableWrites: sources.some(({ source }) => TABLE_WRITE.test(source)),
      secrets: anyUses(USES_SECRETS),
      exportsBucket: anyUses(USES_EXPORTS_BUCKET),
      sendQueues: ALL_QUEUE_IDS.filter((id) => sendQueues.has(id)),
      probeQueues: anyUses(PROBES_QUEUES) ? ALL_QUEUE_IDS : [],
      sendsToDeadLetterQueue: anyUses(SENDS_TO_DEAD_LETTER),
      knowledgeBucket: anyUses(USES_KNOWLEDGE_BUCKET),
      lanceDb: sources.some(({ source }) => LANCE_IMPORT.test(source)),
      unknownQueueSenders: sources
        .filter(({ module, source }) => !KNOWN_SENDERS.has(module) && RAW_SQS_SEND.test(source))
        .map(({ module }) => module),
      sessionKeys: anyUses(USES_SESSION_KEYS),
      sendsEmail: anyUses(SENDS_EMAIL),
      recordingsBucket: !anyUses(USES_RECORDINGS_BUCKET)
        ? 'none'
        : anyUses(FINISHES_RECORDINGS)
          ? 'finish'
          : 'playback',
    };
  };
}
