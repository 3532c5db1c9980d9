// Every part of `npm run bench`, in the order they run. A part is a BenchPart
// (bench/suite.ts); `npm run bench -- <name> …` runs only those named.

import type { BenchPart } from '../suite.ts';
import { auditExportPart } from './auditExport.ts';
import { auditWritePart } from './auditWrite.ts';
import feedScalePart from './feedScale.ts';
import { gatewayPart } from './gateway.ts';
import hitLatencyPart from './hitLatency.ts';
import hitOutagePart from './hitOutage.ts';
import sharingEventLatencyPart from './sharingEventLatency.ts';
import { nodePart } from './node.ts';
import searchPart from './search.ts';
import picturePart from './picture.ts';
import watchListPart from './watchList.ts';

export const benchParts: readonly BenchPart[] = [nodePart, gatewayPart, searchPart, hitLatencyPart, sharingEventLatencyPart, hitOutagePart, feedScalePart, watchListPart, auditWritePart, auditExportPart, picturePart];
