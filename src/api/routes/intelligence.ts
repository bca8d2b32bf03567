import type { FastifyPluginAsync } from 'fastify';
import { emptyFamily } from '../../core/intelligence/family.ts';
import { parseIntelligenceEntries, parseOverridesPatch } from '../../core/intelligence/validate.ts';
import { familyView, type IntelligenceView } from '../../core/intelligence/view.ts';
import type { IntelligenceClearScope } from '../../core/scheduler/inputs.ts';
import { exportIntelligence, intelligenceView } from '../../core/scheduler/intelligence.ts';
import type { SchedulerRecord } from '../../core/scheduler/records.ts';
import type { FieldError } from '../../core/spec/task-spec.ts';
import type { Daemon } from '../../daemon/daemon.ts';
import { badRequest, notFound } from '../errors.ts';
import { checkNoBody, checkQuery } from '../node-views.ts';

/*
 * Task intelligence over REST: what offerlab has learned about each task family (spec id) from
 * metering, and the manual overrides that replace Charmander's Redis keys
 * `charmander:task-intelligence:<id>:mem|nodename|sla`.
 *
 *   GET    /client/intelligence                  every family's view (by id)
 *   GET    /client/intelligence?format=export    every family in the export format (what PUT takes)
 *   PUT    /client/intelligence[?merge=true]     import: the body is the whole map (merge: only the
 *                                                families it names are replaced)
 *   GET    /client/intelligence/<id>             one family's view; 404 when nothing is known
 *   PUT    /client/intelligence/<id>[?replace=true]
 *                                                changes its overrides: {mem?, nodename?, sla?}, a
 *                                                value sets, null removes, absent keeps (replace:
 *                                                absent removes too); answers the new view
 *   DELETE /client/intelligence/<id>[?what=all|overrides|history]
 *                                                forgets it (all by default); 404 when unknown
 *
 * The export is a query parameter of the list rather than a path of its own, because
 * `/client/intelligence/export` is the address of a family whose spec id is "export".
 */

const FORMATS = ['view', 'export'] as const;
const CLEAR_SCOPES: readonly IntelligenceClearScope[] = ['all', 'overrides', 'history'];
const TAGS = ['intelligence'];

const LIST_DESCRIPTION =
  'Every task family offerlab knows about, by spec id: usage history (samples, peaks, window ' +
  'statistics), every estimator’s answer, the overrides and what the next copy gets under the ' +
  'current sizing (`inEffect`). With `?format=export` the answer is the export format instead — ' +
  '`[{id, samples, peakMemMb?, peakCpus?, lastSampleAt?, window: {memMb, cpus}, overrides}]` — ' +
  'which `PUT /client/intelligence` imports (a round trip reproduces the view).';

const IMPORT_DESCRIPTION =
  'Imports intelligence in the export format (`GET /client/intelligence?format=export`). By ' +
  'default the body is the whole map: families it does not name are forgotten. With ' +
  '`?merge=true` only the families it names are replaced. Validated as a whole: one bad entry ' +
  'is a 400 naming it and nothing changes. Answers the new list, as `GET /client/intelligence`.';

const SET_DESCRIPTION =
  'Changes a family’s manual overrides (Charmander’s `charmander:task-intelligence:<id>:mem|nodename|sla`): ' +
  '`{"mem": 512, "nodename": "lab-1", "sla": "singleton"}`, numbers or numeric strings; a value ' +
  'sets an override, `null` removes it, an absent field keeps it (with `?replace=true` an absent ' +
  'field removes it too). Answers the family’s new view.';

/**
 * A 400 naming every bad field. Import errors lead with the entry's JSON pointer
 * (`/0/window/memMb/3: …`); an overrides message names its field already.
 */
function fieldErrors(errors: readonly FieldError[], pointers: boolean): never {
  const line = (e: FieldError) => (pointers && e.path !== '' ? `${e.path}: ${e.message}` : e.message);
  throw badRequest(errors.map(line).join('; '));
}

/** The core refused the change (it validates again): a 400 with its message. */
function refused(records: readonly SchedulerRecord[]): void {
  const rejected = records.find((r) => r.type === 'intelligence-rejected');
  if (rejected?.type === 'intelligence-rejected') throw badRequest(rejected.message);
}

function trueOrFalse(name: string, value: string | undefined): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw badRequest(`${name} must be true or false, got "${value}"`);
}

export function intelligenceRoutes(daemon: Daemon): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/client/intelligence',
      { schema: { summary: 'Task intelligence of every family', description: LIST_DESCRIPTION, tags: TAGS } },
      async (req) => {
        const q = checkQuery(req.query, ['format']);
        const format = q.format ?? 'view';
        if (format === 'export') return exportIntelligence(daemon.state);
        if (format !== 'view')
          throw badRequest(`format must be one of ${FORMATS.join(', ')}, got "${format}"`);
        return intelligenceView(daemon.state);
      },
    );

    app.put(
      '/client/intelligence',
      { schema: { summary: 'Import task intelligence', description: IMPORT_DESCRIPTION, tags: TAGS } },
      async (req) => {
        const q = checkQuery(req.query, ['merge']);
        const merge = trueOrFalse('merge', q.merge);
        const parsed = parseIntelligenceEntries(req.body);
        if (!parsed.ok) fieldErrors(parsed.errors, true);
        refused(await daemon.change({ type: 'intelligence-import', entries: parsed.value, replace: !merge }));
        return intelligenceView(daemon.state);
      },
    );

    app.get<{ Params: { id: string } }>(
      '/client/intelligence/:id',
      { schema: { summary: 'Task intelligence of one family', tags: TAGS } },
      async (req): Promise<IntelligenceView> => {
        checkQuery(req.query, []);
        const view = intelligenceView(daemon.state, req.params.id);
        if (!view) throw notFound(`intelligence for ${req.params.id}`);
        return view;
      },
    );

    app.put<{ Params: { id: string } }>(
      '/client/intelligence/:id',
      { schema: { summary: 'Set or remove a family’s overrides', description: SET_DESCRIPTION, tags: TAGS } },
      async (req): Promise<IntelligenceView> => {
        const q = checkQuery(req.query, ['replace']);
        const replace = trueOrFalse('replace', q.replace);
        const { id } = req.params;
        const parsed = parseOverridesPatch(req.body);
        if (!parsed.ok) fieldErrors(parsed.errors, false);
        refused(
          await daemon.change({
            type: 'intelligence-set',
            id,
            overrides: parsed.value,
            ...(replace ? { replace } : {}),
          }),
        );
        // Removing the last override of a family without history leaves nothing to keep: the
        // answer is then the view of a family offerlab knows nothing about.
        return intelligenceView(daemon.state, id) ?? familyView(emptyFamily(id), daemon.state.config.sizing);
      },
    );

    app.delete<{ Params: { id: string } }>(
      '/client/intelligence/:id',
      {
        schema: {
          summary: 'Forget a family’s intelligence (all, only its overrides or only its history)',
          tags: TAGS,
        },
      },
      async (req) => {
        const q = checkQuery(req.query, ['what']);
        checkNoBody(req.body);
        const what = (q.what ?? 'all') as IntelligenceClearScope;
        if (!CLEAR_SCOPES.includes(what))
          throw badRequest(`what must be one of ${CLEAR_SCOPES.join(', ')}, got "${q.what}"`);
        const { id } = req.params;
        if (!daemon.state.intelligence.has(id)) throw notFound(`intelligence for ${id}`);
        refused(await daemon.change({ type: 'intelligence-clear', id, what }));
        const scope = what === 'all' ? '' : ` ${what}`;
        return { code: 200, message: `Clear intelligence${scope}: ${id}` };
      },
    );
  };
}
