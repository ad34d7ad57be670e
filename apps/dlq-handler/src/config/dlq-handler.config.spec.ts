import { describeDeploymentConfig } from '@streamline/testing';
import { dlqHandlerService } from '../dlq-handler.service';

describeDeploymentConfig(dlqHandlerService, { port: 3004 });
