import type { WitnessReference } from '../../audit/auditWitness.ts';
import type { CheckpointReference } from '../../audit/checkpoints.ts';
import type { PeerEvidence } from '../../audit/peerVerification.ts';
import type { VerifyResult } from '../../audit/verifyAuditChain.ts';
import { assertCheckpointService } from './audit.ts';
import { builder } from './builder.ts';

// The verification of every log against the others' records of it (src/audit/peerVerification.ts), run by
// the hub's schedule: a node tells what it holds of another party's log, and walks its own against what the
// others hold of it. The gateway's service credential for audit:checkpoints only, as the exchange.

const checkpointCopyFields = {
  seq: 'The entry the checkpoint covers the log up to.',
  headHash: 'The hash of that entry, as signed.',
  jws: 'The checkpoint as signed by its party.',
  source: 'Who keeps the copy, for messages ("copy kept by MK").',
} as const;

const AuditCheckpointCopy = builder.objectRef<CheckpointReference>('AuditCheckpointCopy').implement({
  description: "A copy of another party's checkpoint, kept by this agency.",
  fields: (t) => ({
    seq: t.exposeInt('seq', { description: checkpointCopyFields.seq }),
    headHash: t.exposeString('headHash', { description: checkpointCopyFields.headHash }),
    jws: t.string({ description: checkpointCopyFields.jws, resolve: (copy) => copy.jws! }),
    source: t.string({ description: checkpointCopyFields.source, resolve: (copy) => copy.source! }),
  }),
});

const AuditWitnessedHead = builder.objectRef<WitnessReference>('AuditWitnessedHead').implement({
  description: "A head of another party's log recorded in a log: the first entry that recorded it.",
  fields: (t) => ({
    party: t.exposeString('party', { description: 'Whose log the head is of.' }),
    seq: t.exposeInt('seq'),
    hash: t.exposeString('hash'),
    witness: t.exposeString('witness', { description: 'Whose log recorded it.' }),
    witnessSeq: t.exposeInt('witnessSeq', { description: 'The entry of that log that recorded it first.' }),
  }),
});

const AuditPeerEvidence = builder.objectRef<PeerEvidence>('AuditPeerEvidence').implement({
  description: "What this agency's log holds of another party's: the copies of its checkpoints and the heads of it witnessed.",
  fields: (t) => ({
    checkpoints: t.expose('checkpoints', { type: [AuditCheckpointCopy] }),
    witnesses: t.expose('witnesses', { type: [AuditWitnessedHead] }),
  }),
});

const AuditCheckpointCopyInput = builder.inputType('AuditCheckpointCopyInput', {
  fields: (t) => ({
    seq: t.int({ required: true, description: checkpointCopyFields.seq }),
    headHash: t.string({ required: true, description: checkpointCopyFields.headHash }),
    jws: t.string({ required: true, description: `${checkpointCopyFields.jws} Checked against seq and headHash, and its signature.` }),
    source: t.string({ required: true, description: checkpointCopyFields.source }),
  }),
});

const AuditWitnessedHeadInput = builder.inputType('AuditWitnessedHeadInput', {
  fields: (t) => ({
    party: t.string({ required: true }),
    seq: t.int({ required: true }),
    hash: t.string({ required: true }),
    witness: t.string({ required: true }),
    witnessSeq: t.int({ required: true }),
  }),
});

type Verification = { party: string } & VerifyResult;

const AuditChainVerification = builder.objectRef<Verification>('AuditChainVerification').implement({
  description: "This agency's log walked against what the other parties hold of it.",
  fields: (t) => ({
    party: t.exposeString('party'),
    verified: t.boolean({ resolve: (result) => result.ok }),
    entryCount: t.int({ nullable: true, description: 'Entries walked, when verified.', resolve: (result) => (result.ok ? result.count : null) }),
    firstBadSeq: t.int({ nullable: true, resolve: (result) => (result.ok ? null : result.firstBadSeq) }),
    reason: t.string({ nullable: true, resolve: (result) => (result.ok ? null : result.reason) }),
  }),
});

builder.queryFields((t) => ({
  auditPeerEvidence: t.field({
    type: AuditPeerEvidence,
    description: "What this agency's log holds of `party`'s log. The gateway's service credential for audit:checkpoints only.",
    args: { party: t.arg.string({ required: true, description: 'An agency code or GATEWAY.' }) },
    resolve: (_root, args, context) => {
      assertCheckpointService(context);
      // A read of the log's own bookkeeping, as the exchange: an entry per run would grow an idle log for ever.
      context.audit.written = true;
      return context.auditChain.evidenceOf(args.party);
    },
  }),
  verifyAuditChain: t.field({
    type: AuditChainVerification,
    description:
      "This agency's log walked now against what the other parties hold of it (as `audit verify --all`), with its own checkpoint key. " +
      "The gateway's service credential for audit:checkpoints only.",
    args: {
      checkpoints: t.arg({ type: [AuditCheckpointCopyInput], required: true }),
      witnesses: t.arg({ type: [AuditWitnessedHeadInput], required: true }),
    },
    resolve: async (_root, args, context) => {
      assertCheckpointService(context);
      context.audit.written = true;
      const result = await context.auditChain.verify({ checkpoints: args.checkpoints, witnesses: args.witnesses });
      return { party: context.agency, ...result };
    },
  }),
}));
