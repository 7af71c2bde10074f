import {
  CalendarTemplateQuerySchema,
  ErrorCode,
  type GroupCalendar,
  SchoolCalendarSchema,
} from '@sluimer/shared';
import type { FastifyInstance } from 'fastify';
import { assumedCalendar, resolveCalendar } from '../calendar/school-calendars.js';
import type { PolicyService } from '../groups/policy-service.js';
import type { Store } from '../store/types.js';
import { ANY_ROLE, STAFF } from './auth.js';
import { ApiError, idParam, notFound, parse } from './errors.js';

/**
 * The school calendar (docs/api.md, "School calendar"): per school its hours, region, vacations,
 * holidays and study days. A policy that sets no school hours follows the school's, so a change here
 * is pushed to the school's devices like a policy change.
 */
export interface CalendarRouteDeps {
  store: Store;
  policies: PolicyService;
  /** sends the (changed) effective policies to connected devices */
  pushPolicies: (deviceIds?: number[]) => Promise<unknown>;
  now: () => number;
}

export function registerCalendarRoutes(app: FastifyInstance, deps: CalendarRouteDeps): void {
  const { store, policies, pushPolicies, now } = deps;

  const calendarJson = async (groupId: number): Promise<GroupCalendar> => {
    const resolved = await resolveCalendar(policies, groupId);
    const own = await store.getSchoolCalendar(groupId);
    return {
      groupId,
      /** the group the calendar comes from; null: assumed (nothing stored) */
      schoolId: resolved.schoolId,
      stored: resolved.stored,
      /** true when the calendar is the group's own, false when inherited or assumed */
      own: own !== undefined,
      updatedAt: own?.updatedAt ?? null,
      calendar: resolved.calendar,
    };
  };

  app.get('/api/v1/groups/:id/calendar', { config: { access: ANY_ROLE } }, async (request) => {
    const id = idParam(request.params);
    if (!(await store.getGroup(id))) throw notFound(`group ${id}`);
    return calendarJson(id);
  });

  // the shipped Dutch vacations and holidays of a region, to start a school's calendar from
  app.get('/api/v1/calendar/template', { config: { access: ANY_ROLE } }, async (request) => {
    const q = parse(CalendarTemplateQuerySchema, request.query, 'query');
    let zone: string | undefined;
    if (q.groupId !== undefined) {
      if (!(await store.getGroup(q.groupId))) throw notFound(`group ${q.groupId}`);
      zone = await policies.timeZoneOf(q.groupId);
    }
    return assumedCalendar(zone ?? 'Europe/Amsterdam', q.region);
  });

  app.put('/api/v1/groups/:id/calendar', { config: { access: STAFF } }, async (request) => {
    const id = idParam(request.params);
    const group = await store.getGroup(id);
    if (!group) throw notFound(`group ${id}`);
    if (group.kind !== 'school') {
      throw new ApiError(
        400,
        ErrorCode.Validation,
        `een schoolkalender hoort bij een school, niet bij een ${group.kind}; kies de school / a school calendar belongs to a school, not a ${group.kind}; choose the school`,
        { kind: group.kind },
      );
    }
    const calendar = parse(SchoolCalendarSchema, request.body, 'calendar');
    await store.putSchoolCalendar(id, calendar, now());
    policies.invalidate();
    // the school hours policies refer to may have changed: resend to the school's devices
    const groupIds = [...(await policies.subtree(id))];
    await pushPolicies((await store.listDevices({ groupIds })).map((d) => d.id));
    return calendarJson(id);
  });

  app.delete('/api/v1/groups/:id/calendar', { config: { access: STAFF } }, async (request, reply) => {
    const id = idParam(request.params);
    if (!(await store.getGroup(id))) throw notFound(`group ${id}`);
    if (!(await store.deleteSchoolCalendar(id))) throw notFound(`calendar of group ${id}`);
    policies.invalidate();
    const groupIds = [...(await policies.subtree(id))];
    await pushPolicies((await store.listDevices({ groupIds })).map((d) => d.id));
    return reply.code(204).send();
  });
}
