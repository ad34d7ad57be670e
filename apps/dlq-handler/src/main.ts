import 'reflect-metadata';
import { runService } from '@streamline/platform';
import { dlqHandlerService } from './dlq-handler.service';

void runService(dlqHandlerService);
