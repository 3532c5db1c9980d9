import { consentRequestRecordRefs } from '../../audit/recordRefs.ts';
import { journaled, noteAlertViews } from '../../audit/auditCollector.ts';
import { addSharingEventTypes } from '../../domain/schema/addSharingEventTypes.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import { consentDeadlineScope } from '../../identity/gatewayCredential.ts';
import { operationalRoles } from '../../identity/roles.ts';
import { deliverAlertShared, type AlertSharedView } from '../../realtime/alertSharedEvents.ts';
import { deliverConsentEvent, type ConsentEventView } from '../../realtime/consentEventDelivery.ts';
import { noteDelivery, noteWithheld } from '../../realtime/eventDelivery.ts';
import { markConsentDeadlines, type ConsentDeadlineMarks } from '../records/consentDeadlineRecords.ts';
import { Alert } from './alert.ts';
import { builder } from './builder.ts';
import { ConsentRequest } from './consent.ts';

const sharing = addSharingEventTypes(builder);

const AlertShared = builder.objectRef<AlertSharedView>('AlertShared').implement({
  description: "A record of this agency the recipient sees higher than before a change of this agency's consent, at the tier it has now.",
  fields: (t) => ({
    seq: t.exposeInt('seq', { description: "The event's number in this node's feed." }),
    at: t.expose('at', { type: 'DateTime', description: 'When the consent changed.' }),
    cause: t.expose('cause', { type: sharing.enums.SharingCause }),
    alert: t.expose('alert', { type: Alert }),
  }),
});

const ConsentEvent = builder.objectRef<ConsentEventView>('ConsentEvent').implement({
  description: 'Something that happened to a consent request to this agency, with the request as the recipient may read it now.',
  fields: (t) => ({
    seq: t.exposeInt('seq', { description: "The event's number in this node's feed." }),
    at: t.expose('at', { type: 'DateTime' }),
    kind: t.expose('kind', { type: sharing.enums.ConsentEventKind }),
    request: t.expose('request', { type: ConsentRequest }),
  }),
});

const ConsentDeadlineMarks = builder.objectRef<ConsentDeadlineMarks>('ConsentDeadlineMarks').implement({
  description: 'What one run of the deadline job marked and announced.',
  fields: (t) => ({
    overdue: t.exposeInt('overdue', { description: 'Requests unanswered past their deadline, marked overdue and announced to both parties.' }),
    expiring: t.exposeInt('expiring', { description: 'Grants ending within the notice, announced to the unit that asked.' }),
  }),
});

builder.queryFields((t) => ({
  deliverAlertShared: t.field({
    type: AlertShared,
    nullable: true,
    description:
      "Delivers one ALERT_SHARED event to an officer of the agency it is for: the record at the tier the owner's consent gives that " +
      'officer now, for its declared purpose and roles, when that is higher than before the change. Null when nothing may be ' +
      'delivered (consent withdrawn since, no higher for this officer, another purpose or case, or not an event for the caller). ' +
      'Each delivery is a disclosure in this node’s log, naming the recipient and the purpose and case.',
    authScopes: { operational: operationalRoles },
    args: { seq: t.arg.int({ required: true }) },
    resolve: async (_root, args, context) => {
      const result = await deliverAlertShared(context.prisma, context.officer, context.purpose, context.agency, args.seq, context.agreement);
      if (result.delivered) {
        noteAlertViews(context.audit, [result.shared.alert]);
        noteDelivery(context, 'ALERT_SHARED', args.seq, { cause: result.shared.cause });
        return result.shared;
      }
      noteWithheld(context, 'ALERT_SHARED', args.seq, result.reason, result.alertId);
      return null;
    },
  }),
  deliverConsentEvent: t.field({
    type: ConsentEvent,
    nullable: true,
    description:
      "Delivers one consent event to an officer it is for: incoming requests to this agency's officers who decide consent, the " +
      "rest to the unit that asked. The request as consentRequests would list it to that officer now; null when nothing may be " +
      'delivered. Each delivery is a disclosure in this node’s log, naming the recipient and the purpose and case.',
    authScopes: { operational: operationalRoles },
    args: { seq: t.arg.int({ required: true }) },
    resolve: async (_root, args, context) => {
      const result = await deliverConsentEvent(context.prisma, context.officer, context.purpose, context.agency, args.seq, context.agreement);
      if (result.delivered) {
        const { request, kind } = result.event;
        context.audit.note(...consentRequestRecordRefs(context.agency, request, context.officer));
        noteDelivery(context, kind, args.seq, { request: request.id });
        return result.event;
      }
      noteWithheld(context, 'CONSENT_REQUESTED', args.seq, result.reason, result.alertId);
      return null;
    },
  }),
}));

builder.mutationFields((t) => ({
  markConsentDeadlines: t.field({
    type: ConsentDeadlineMarks,
    description:
      'Marks the consent requests left unanswered past their deadline and the grants ending within the agreement’s notice, and ' +
      "announces each once (consentEvents), logged in this node's log naming the job. The gateway's service credential for " +
      'consent:deadlines only, on the hub’s schedule.',
    args: { job: t.arg.string({ required: true, description: "The run of the hub's job, named in the entry." }) },
    resolve: async (_root, args, context) => {
      if (context.service !== consentDeadlineScope) {
        throw hubError(ErrorCode.FORBIDDEN, `Consent deadlines are marked by the hub gateway with its service credential for ${consentDeadlineScope} only.`);
      }
      const job = args.job.slice(0, 200);
      const marks = await journaled(context.audit, (journal) => markConsentDeadlines(context.prisma, context.agency, job, journal, context.agreement));
      // Nothing came due: nothing to log (the schedule asks every few minutes).
      context.audit.written = true;
      return marks;
    },
  }),
}));
