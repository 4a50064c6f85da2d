export { AlertTopic, alertTopicPolicy, type AlertTopicArgs, type AlertTopicPolicyContext } from "./sns";
