import { describeDeploymentConfig } from '@streamline/testing';
import { eventProducerService } from '../event-producer.service';

describeDeploymentConfig(eventProducerService, { port: 3002 });
