import { describeDeploymentConfig } from '@streamline/testing';
import { iotIngestorService } from '../iot-ingestor.service';

describeDeploymentConfig(iotIngestorService, { port: 3001 });
