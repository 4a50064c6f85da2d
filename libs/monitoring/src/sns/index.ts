export { AlertTopic, type AlertTopicArgs } from "./alert-topic";
export { alertTopicPolicy, type AlertTopicPolicyContext } from "./alert-topic-policy";
