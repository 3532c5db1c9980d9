// The joint operations' part of the gateway schema: one file per type, with its queries and mutations.
import './operationMember.ts';
import './linkedAlert.ts';
import './timelineEntry.ts';
import './operationRelease.ts';
import './operationOutcome.ts';
import './jointOperation.ts';
import './operationUpdate.ts';
