// The domain vocabulary. The values are declared once, in schema.prisma, and
// shared by the database, both GraphQL schemas and input validation.
export {
  AlertKind,
  AlertStatus,
  BorderCrossingPoint,
  ConsentRequestStatus,
  ComponentKind,
  DocumentKind,
  EuFirearmCategory,
  ExplosiveType,
  FirearmType,
  HandlingCode,
  LocationKind,
  QuantityUnit,
  RiskLevel,
  SourceReliability,
  SubjectRole,
  Tier,
  TraceRequestStatus,
  UnitKind,
  VehicleRole,
  WatchKind,
} from '../generated/node/enums.ts';
