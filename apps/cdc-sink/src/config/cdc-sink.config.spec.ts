import { describeDeploymentConfig } from '@streamline/testing';
import { cdcSinkService } from '../cdc-sink.service';

describeDeploymentConfig(cdcSinkService, { port: 3005 });
